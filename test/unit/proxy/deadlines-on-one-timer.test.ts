/**
 * upstream_timeout of relayed requests runs on one timer (src/proxy/deadlines.ts): each request
 * expires once its own deadline has passed, never before, a cleared one never, and deadlines out
 * of order (a reload changed upstream_timeout) still expire in time. Margins are wide: the
 * machine running the suite may be busy.
 */
import { setTimeout as sleep } from 'node:timers/promises'
import t from 'tap'
import { Deadline, Deadlines } from '../../../src/proxy/deadlines.js'

class Waiting extends Deadline {
  at: number | undefined
  constructor (private readonly expired: string[], private readonly name: string, private readonly started = performance.now()) {
    super()
  }

  expire (): void {
    this.expired.push(this.name)
    this.at = performance.now() - this.started
  }
}

const item = (expired: string[], name: string): Waiting => new Waiting(expired, name)

t.test('each request expires after its own timeout; a cleared one never does', async (t) => {
  const deadlines = new Deadlines()
  const expired: string[] = []
  const a = item(expired, 'a')
  const b = item(expired, 'b')
  deadlines.watch(a, 50)
  deadlines.watch(b, 50)
  await sleep(30)
  const c = item(expired, 'c')
  deadlines.watch(c, 150)
  deadlines.clear(b)
  t.equal(deadlines.size, 2)
  await sleep(70)
  t.same(expired, ['a'], 'a expired at its deadline; c is not due yet; b was cleared')
  t.ok(a.at! >= 49, `a expired no earlier than its timeout (${a.at!.toFixed(1)} ms)`)
  await sleep(130)
  t.same(expired, ['a', 'c'])
  t.ok(c.at! >= 149, 'c expired after its own 150 ms, counted from when it was watched')
  t.equal(deadlines.size, 0)
})

t.test('a shorter timeout watched after a longer one still expires on time', async (t) => {
  const deadlines = new Deadlines()
  const expired: string[] = []
  const long = item(expired, 'long')
  deadlines.watch(long, 500)
  deadlines.watch(item(expired, 'short'), 30)
  await sleep(100)
  t.same(expired, ['short'], 'the short deadline did not wait for the long one')
  deadlines.clear(long)
  await sleep(500)
  t.same(expired, ['short'], 'the cleared long one never expired')
})

t.test('out-of-order deadlines behind one still in time are found when due', async (t) => {
  const deadlines = new Deadlines()
  const expired: string[] = []
  // A long one first; shorter ones behind it in the Set.
  deadlines.watch(item(expired, 'long'), 300)
  deadlines.watch(item(expired, 'short'), 20)
  deadlines.watch(item(expired, 'mid'), 40)
  await sleep(120)
  t.same([...expired].sort(), ['mid', 'short'], 'both short ones expired, the long one is still in time')
  await sleep(250)
  t.same([...expired].sort(), ['long', 'mid', 'short'])
})

t.test('clearing what is not watched changes nothing; clearing the middle keeps the rest', async (t) => {
  const deadlines = new Deadlines()
  const expired: string[] = []
  deadlines.clear(item(expired, 'x'))
  t.equal(deadlines.size, 0)
  deadlines.watch(item(expired, 'y'), 15)
  deadlines.clear(item(expired, 'z'))
  const middle = item(expired, 'middle')
  deadlines.watch(middle, 15)
  deadlines.watch(item(expired, 'last'), 15)
  deadlines.clear(middle)
  deadlines.clear(middle)
  t.equal(deadlines.size, 2)
  await sleep(60)
  t.same(expired, ['y', 'last'])
  t.equal(deadlines.size, 0)
})
