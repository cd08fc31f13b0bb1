import { readdir, readFile, stat, utimes, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import t from 'tap'
import { FileStore } from '../../../src/secrets/file-store.js'
import { generateMasterKey, parseMasterKey } from '../../../src/secrets/master-key.js'
import { openSealedStore } from '../../../src/secrets/open-store.js'

const key = parseMasterKey(generateMasterKey())

t.test('put, get, list, delete, update round trip', async t => {
  const dir = join(t.testdir(), 'data')
  const store = await openSealedStore({ type: 'file', path: dir }, key)
  t.teardown(() => store.close())

  t.equal(await store.get('secret', 'missing'), undefined)
  await store.put('secret', 'b', 'value-b')
  await store.put('secret', 'a', 'value-a')
  await store.put('connection', 'a', '{"config":{}}')
  t.equal(await store.get('secret', 'a'), 'value-a')
  t.equal(await store.get('connection', 'a'), '{"config":{}}')
  t.same(await store.list('secret'), ['a', 'b'])
  t.same(await store.list('connection'), ['a'])

  await store.put('secret', 'a', 'replaced')
  t.equal(await store.get('secret', 'a'), 'replaced')

  t.equal(await store.update('secret', 'counter', cur => String(Number(cur ?? 0) + 1)), '1')
  t.equal(await store.update('secret', 'counter', cur => String(Number(cur ?? 0) + 1)), '2')
  t.equal(await store.update('secret', 'counter', () => undefined), '2', 'undefined leaves the record untouched')
  t.equal(await store.get('secret', 'counter'), '2')

  t.equal(await store.delete('secret', 'b'), true)
  t.equal(await store.delete('secret', 'b'), false)
  t.same(await store.list('secret'), ['a', 'counter'])
  await store.ping()

  const reopened = await FileStore.open(dir, key)
  t.equal(await reopened.get('secret', 'a'), 'replaced', 'state survives a reopen')
})

t.test('files: store.json 0600 in a 0700 folder, values sealed', async t => {
  const dir = join(t.testdir(), 'data')
  const store = await FileStore.open(dir, key)
  await store.put('secret', 'token', 'plain-value-123')
  t.equal((await stat(dir)).mode & 0o777, 0o700)
  t.equal((await stat(join(dir, 'store.json'))).mode & 0o777, 0o600)
  const text = await readFile(join(dir, 'store.json'), 'utf8')
  t.notMatch(text, 'plain-value-123')
  const body = JSON.parse(text) as { v: number, records: Record<string, { kid: string }> }
  t.equal(body.v, 1)
  t.same(Object.keys(body.records), ['secret:token'])
  t.equal(body.records['secret:token']?.kid, key.id)
  t.same((await readdir(dir)).sort(), ['store.json'], 'no lock or temp file left behind')
})

t.test('a write by another process is seen without reopening (next check after 500 ms)', async t => {
  const dir = t.testdir()
  const gateway = await FileStore.open(dir, key)
  const cli = await FileStore.open(dir, key)
  t.equal(await gateway.get('secret', 'new'), undefined)
  await cli.put('secret', 'new', 'fresh')
  const started = Date.now()
  while (await gateway.get('secret', 'new') === undefined) {
    // Generous bound: the check interval is 500 ms, the rest is headroom for a loaded CI box.
    if (Date.now() - started > 5000) break
    await new Promise(resolve => setTimeout(resolve, 20))
  }
  t.equal(await gateway.get('secret', 'new'), 'fresh', `seen after ${Date.now() - started} ms`)
  await cli.delete('secret', 'new')
  await new Promise(resolve => setTimeout(resolve, 550))
  t.equal(await gateway.get('secret', 'new'), undefined, 'deletes are seen too')
})

t.test('a writer re-reads under the lock and keeps the other writer\'s records', async t => {
  const dir = t.testdir()
  const a = await FileStore.open(dir, key, { reloadIntervalMs: 60_000 })
  const b = await FileStore.open(dir, key, { reloadIntervalMs: 60_000 })
  await a.put('secret', 'from_a', '1')
  await b.put('secret', 'from_b', '2') // b's in-memory copy predates from_a
  const c = await FileStore.open(dir, key)
  t.same(await c.list('secret'), ['from_a', 'from_b'])
  t.same(await b.list('secret'), ['from_a', 'from_b'], 'the writer\'s own view is refreshed by its write')
})

t.test('temp files of a crashed writer are removed at open', async t => {
  const dir = t.testdir({ 'store.json.999.abcdef.tmp': '{"half', 'unrelated.tmp': 'keep' })
  const store = await FileStore.open(dir, key)
  t.same(await store.list('secret'), [])
  t.same((await readdir(dir)).sort(), ['unrelated.tmp'])
})

t.test('a stale lock is broken, a fresh one is waited for', async t => {
  const dir = t.testdir({ 'store.lock': '12345 deadbeef' })
  const old = new Date(Date.now() - 11_000)
  await utimes(join(dir, 'store.lock'), old, old)
  const store = await FileStore.open(dir, key)
  await store.put('secret', 'x', 'y')
  t.equal(await store.get('secret', 'x'), 'y')

  await writeFile(join(dir, 'store.lock'), 'someone else')
  await t.rejects(FileStore.open(dir, key, { lock: { staleMs: 10_000, timeoutMs: 150 } }), {
    code: 'io',
    message: /could not take the lock .*store\.lock/,
  })
})

t.test('a store file that is not a store is a corrupt error, without quoting it', async t => {
  const dir = t.testdir({ 'store.json': '{"v":1,"records":{"secret:a":' })
  await t.rejects(FileStore.open(dir, key), { code: 'corrupt', message: /store file .*store\.json is not valid JSON$/ })
  await writeFile(join(dir, 'store.json'), '[1,2]')
  await t.rejects(FileStore.open(dir, key), { code: 'corrupt', message: /is not a latchkey store/ })
  await writeFile(join(dir, 'store.json'), '{"v":1,"records":{"secret:a":{"v":1}}}')
  await t.rejects(FileStore.open(dir, key), { code: 'corrupt', message: 'record secret:a is not a valid sealed record' })
})

t.test('opening with another key fails at open, naming both key ids', async t => {
  const dir = t.testdir()
  const store = await FileStore.open(dir, key)
  await store.put('secret', 'a', '1')
  await store.put('secret', 'b', '2')
  const wrong = parseMasterKey(generateMasterKey())
  await t.rejects(FileStore.open(dir, wrong), {
    code: 'wrong_key',
    message: `store ${join(dir, 'store.json')}: 2 records sealed with key ${key.id}, configured master key is ${wrong.id}: wrong LATCHKEY_MASTER_KEY?`,
  })
})

t.test('a process left on the old key after rotation elsewhere cannot write', async t => {
  const dir = t.testdir()
  const gateway = await FileStore.open(dir, key)
  await gateway.put('secret', 'a', '1')
  const cli = await FileStore.open(dir, key)
  const next = parseMasterKey(generateMasterKey())
  t.equal(await cli.rotateKey(next), 1)
  await t.rejects(gateway.put('secret', 'b', '2'), { code: 'wrong_key' })
  await new Promise(resolve => setTimeout(resolve, 550))
  await t.rejects(gateway.get('secret', 'a'), { code: 'wrong_key', message: /sealed with key .* configured master key is/ })
  const fresh = await FileStore.open(dir, next)
  t.same(await fresh.list('secret'), ['a'])
})

t.test('openSealedStore checks the config', async t => {
  await t.rejects(openSealedStore({ type: 'file' }, key), { code: 'invalid_config', message: 'the file store needs store.path' })
  await t.rejects(openSealedStore({ type: 'redis' }, key), { code: 'invalid_config', message: 'the redis store needs store.url' })
  await t.rejects(openSealedStore({ type: 'nope' as 'file' }, key), { code: 'invalid_config', message: 'unknown store type nope' })
})
