/**
 * Defends: LruMap (src/lru-map.ts) keeps exactly the entries, values and recency order of the
 * plain delete-and-reinsert Map it replaced, under any sequence of get, set, delete and clear.
 * The reference is that Map, whose insertion order is its recency order.
 */
import fc from 'fast-check'
import t from 'tap'
import { LruMap } from '../../src/lru-map.js'

class ReferenceLru {
  readonly map = new Map<number, number>()
  constructor (readonly max: number) {}
  get (key: number): number | undefined {
    const value = this.map.get(key)
    if (value === undefined) return undefined
    this.map.delete(key)
    this.map.set(key, value)
    return value
  }

  set (key: number, value: number): void {
    this.map.delete(key)
    this.map.set(key, value)
    if (this.map.size > this.max) this.map.delete(this.map.keys().next().value!)
  }

  delete (key: number): boolean { return this.map.delete(key) }
  clear (): void { this.map.clear() }
  /** Most recent first, as LruMap.keys() gives them. */
  keys (): number[] { return [...this.map.keys()].reverse() }
}

// Few keys, so that hits, overwrites and evictions are all common.
const key = fc.integer({ min: 0, max: 7 })
const operation = fc.oneof(
  fc.record({ op: fc.constant('get' as const), key }),
  fc.record({ op: fc.constant('set' as const), key, value: fc.integer() }),
  fc.record({ op: fc.constant('delete' as const), key }),
  fc.record({ op: fc.constant('clear' as const) }),
)

t.test('every operation answers as the reference does, and the recency order stays the same', async (t) => {
  fc.assert(fc.property(fc.integer({ min: 1, max: 5 }), fc.array(operation, { maxLength: 60 }), (max, operations) => {
    const lru = new LruMap<number, number>(max)
    const reference = new ReferenceLru(max)
    for (const o of operations) {
      switch (o.op) {
        case 'get': if (lru.get(o.key) !== reference.get(o.key)) return false; break
        case 'set': lru.set(o.key, o.value); reference.set(o.key, o.value); break
        case 'delete': if (lru.delete(o.key) !== reference.delete(o.key)) return false; break
        case 'clear': lru.clear(); reference.clear(); break
        default: { const never: never = o; throw new Error(`unknown ${String(never)}`) }
      }
      if (lru.size !== reference.map.size) return false
      if (JSON.stringify([...lru.keys()]) !== JSON.stringify(reference.keys())) return false
    }
    return true
  }), { numRuns: 500 })
  t.pass('LruMap matches the reference')
})

t.test('a bound below one entry is refused', async (t) => {
  t.throws(() => new LruMap(0), RangeError)
})
