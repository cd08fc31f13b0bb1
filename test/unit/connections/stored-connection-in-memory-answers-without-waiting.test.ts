/**
 * The registry of stored connections (src/connections/registry.ts) answers synchronously while
 * the file store's snapshot is fresh: a stored connection's request waits for no promise. When
 * the snapshot is due a re-check it waits for the store and sees another process's change; a
 * changed record is compiled anew, an unchanged one never, and a deleted one is gone.
 */
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import t from 'tap'
import { ConnectionRegistry, type StoredCompiler } from '../../../src/connections/registry.js'
import { ConnectionRepository } from '../../../src/connections/repository.js'
import type { StoredConnection } from '../../../src/connections/record.js'
import type { CompiledConnection } from '../../../src/runtime/connection.js'
import { FileStore } from '../../../src/secrets/file-store.js'
import { generateMasterKey, parseMasterKey } from '../../../src/secrets/master-key.js'

const key = parseMasterKey(generateMasterKey())
const AT = '2026-12-02T00:00:00.000Z'

function record (id: string, label: string): StoredConnection {
  return {
    v: 1, id, connector: 'api', auth: 'key', owner: null, config: { label }, credentials: { api_key: `k-${label}` },
    access: { anonymous: true }, status: 'connected', created_at: AT, updated_at: AT,
  }
}

/** Stands in for the runtime: a compiled connection is an object naming the record it came from. */
function countingCompiler (): StoredCompiler & { compiled: string[] } {
  const compiled: string[] = []
  return {
    compiled,
    compileStored (r) {
      compiled.push(`${r.id}:${String(r.config.label)}`)
      return { id: r.id, label: r.config.label } as unknown as CompiledConnection
    },
  }
}

const labelOf = (conn: unknown): unknown => (conn as { label?: unknown } | undefined)?.label

t.test('fresh snapshot: at once; due a re-check: a promise of the current record', async (t) => {
  const dir = join(t.testdir(), 'data')
  const writerStore = await FileStore.open(dir, key)
  t.teardown(() => writerStore.close())
  const writer = new ConnectionRepository(writerStore)
  await writer.put(record('c1', 'one'))
  const store = await FileStore.open(dir, key, { reloadIntervalMs: 200 })
  t.teardown(() => store.close())
  const registry = new ConnectionRegistry({ repository: new ConnectionRepository(store) })
  const compiler = countingCompiler()

  const first = registry.lookup('c1', compiler)
  t.notOk(first instanceof Promise, 'answered without a promise')
  t.equal(labelOf(first), 'one')
  t.equal(labelOf(registry.lookup('c1', compiler)), 'one')
  t.same(compiler.compiled, ['c1:one'], 'the same record is compiled once')
  t.equal(registry.lookup('missing', compiler), undefined, 'an unknown id: undefined, at once')

  await writer.put(record('c1', 'two'))
  await sleep(250)
  const later = registry.lookup('c1', compiler)
  t.ok(later instanceof Promise, 'a stale snapshot: the lookup waits for the store')
  t.equal(labelOf(await later), 'two', 'and sees the other writer\'s change')
  t.same(compiler.compiled, ['c1:one', 'c1:two'], 'the changed record is compiled anew')
  t.equal(labelOf(registry.lookup('c1', compiler)), 'two', 'fresh again: at once')

  await writer.delete('c1')
  await sleep(250)
  t.equal(await registry.lookup('c1', compiler), undefined, 'deleted elsewhere: gone')
})

t.test('another config (a reload) compiles the same record again', async (t) => {
  const store = await FileStore.open(join(t.testdir(), 'data'), key)
  t.teardown(() => store.close())
  const repository = new ConnectionRepository(store)
  await repository.put(record('c1', 'one'))
  const registry = new ConnectionRegistry({ repository })
  const before = countingCompiler()
  const after = countingCompiler()
  registry.lookup('c1', before)
  registry.lookup('c1', after)
  t.same([before.compiled, after.compiled], [['c1:one'], ['c1:one']])
})

t.test('beyond maxEntries the least recently used is compiled again, a recent one is not', async (t) => {
  const store = await FileStore.open(join(t.testdir(), 'data'), key)
  t.teardown(() => store.close())
  const repository = new ConnectionRepository(store)
  for (const id of ['a', 'b', 'c']) await repository.put(record(id, id))
  const registry = new ConnectionRegistry({ repository, maxEntries: 2 })
  const compiler = countingCompiler()
  registry.lookup('a', compiler)
  registry.lookup('b', compiler)
  registry.lookup('a', compiler) // a is now the most recent
  registry.lookup('c', compiler) // evicts b
  registry.lookup('a', compiler)
  registry.lookup('b', compiler)
  t.same(compiler.compiled, ['a:a', 'b:b', 'c:c', 'b:b'])
})
