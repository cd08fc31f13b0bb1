/**
 * `rotateKey` on both stores: every record re-sealed under the new key and readable only with
 * it; a record that cannot be opened makes the whole rotation fail with nothing changed.
 */
import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import t from 'tap'
import { generateMasterKey, parseMasterKey } from '../../../src/secrets/master-key.js'
import { openSealedStore } from '../../../src/secrets/open-store.js'
import type { MasterKey, SealedStore, StoreConfig } from '../../../src/secrets/types.js'
import { testRedis } from '../../helpers/redis.js'

interface Backend {
  config: StoreConfig
  /** the raw stored records, to compare before and after */
  snapshot (): Promise<string>
  /** replaces the raw record of `identity` with that of `from` (a record that cannot open) */
  corrupt (identity: string, from: string): Promise<void>
}

/** the parts of a tap test the setups use */
interface Host { testdir (): string, teardown (fn: () => unknown): void }
type Setup = (t: Host) => Promise<Backend>

const backends: Record<string, Setup> = {
  file: async t => {
    const path = t.testdir()
    const file = join(path, 'store.json')
    return {
      config: { type: 'file', path },
      snapshot: () => readFile(file, 'utf8'),
      async corrupt (identity, from) {
        const body = JSON.parse(await readFile(file, 'utf8')) as { records: Record<string, unknown> }
        body.records[identity] = body.records[from]
        await writeFile(file, JSON.stringify(body))
      },
    }
  },
  redis: async t => {
    const { url, prefix, client } = await testRedis(t)
    const hash = `${prefix}store`
    return {
      config: { type: 'redis', url, key_prefix: prefix },
      snapshot: async () => JSON.stringify(Object.entries(await client.hgetall(hash)).sort()),
      async corrupt (identity, from) {
        await client.hset(hash, identity, await client.hget(hash, from) ?? '')
      },
    }
  },
}

const records = { api_key: 'k-1', webhook: 'w-2', empty_ish: ' ' }

async function seed (config: StoreConfig, key: MasterKey): Promise<SealedStore> {
  const store = await openSealedStore(config, key)
  for (const [name, value] of Object.entries(records)) await store.put('secret', name, value)
  await store.put('connection', 'crm', '{"credentials":{"token":"t"}}')
  return store
}

for (const [name, setup] of Object.entries(backends)) {
  t.test(`${name} store: rotation re-seals every record under the new key`, async t => {
    const backend = await setup(t)
    const oldKey = parseMasterKey(generateMasterKey())
    const newKey = parseMasterKey(generateMasterKey())
    const store = await seed(backend.config, oldKey)

    t.equal(await store.rotateKey(newKey), 4)
    t.equal(await store.get('secret', 'api_key'), 'k-1', 'the rotating instance switches to the new key')
    await store.close()

    const raw = await backend.snapshot()
    t.notMatch(raw, oldKey.id, 'no record carries the old key id')
    t.match(raw, newKey.id)

    const reopened = await openSealedStore(backend.config, newKey)
    for (const [id, value] of Object.entries(records)) t.equal(await reopened.get('secret', id), value)
    t.equal(await reopened.get('connection', 'crm'), '{"credentials":{"token":"t"}}')
    await reopened.close()

    await t.rejects(openSealedStore(backend.config, oldKey), { code: 'wrong_key' }, 'the old key no longer opens the store')
  })

  t.test(`${name} store: a record that cannot be opened fails the rotation, nothing changes`, async t => {
    const backend = await setup(t)
    const oldKey = parseMasterKey(generateMasterKey())
    const store = await seed(backend.config, oldKey)
    await backend.corrupt('secret:webhook', 'secret:api_key') // moved record: fails authentication
    const before = await backend.snapshot()

    await t.rejects(store.rotateKey(parseMasterKey(generateMasterKey())), {
      code: 'tampered',
      message: 'record secret:webhook failed to open: tampered, moved, or wrong key',
    })
    t.equal(await backend.snapshot(), before, 'stored records are byte for byte the same')
    t.equal(await store.get('secret', 'api_key'), 'k-1', 'the store still works with the old key')
    await store.close()
  })

  t.test(`${name} store: rotating an empty store is a no-op that switches keys`, async t => {
    const backend = await setup(t)
    const store = await openSealedStore(backend.config, parseMasterKey(generateMasterKey()))
    const next = parseMasterKey(generateMasterKey())
    t.equal(await store.rotateKey(next), 0)
    await store.put('secret', 'a', '1')
    await store.close()
    const reopened = await openSealedStore(backend.config, next)
    t.equal(await reopened.get('secret', 'a'), '1')
    await reopened.close()
  })
}
