import { Redis } from 'ioredis'
import t from 'tap'
import { generateMasterKey, parseMasterKey } from '../../../src/secrets/master-key.js'
import { openSealedStore } from '../../../src/secrets/open-store.js'
import { RedisStore } from '../../../src/secrets/redis-store.js'
import { startRedisServer, testRedis } from '../../helpers/redis.js'

const key = parseMasterKey(generateMasterKey())

t.test('put, get, list, delete, update round trip in one hash', async t => {
  const { url, prefix, client } = await testRedis(t)
  const store = await openSealedStore({ type: 'redis', url, key_prefix: prefix }, key)
  t.teardown(() => store.close())

  t.equal(await store.get('secret', 'missing'), undefined)
  await store.put('secret', 'b', 'value-b')
  await store.put('secret', 'a', 'value-a')
  await store.put('connection', 'a', '{"x":1}')
  t.equal(await store.get('secret', 'a'), 'value-a')
  t.same(await store.list('secret'), ['a', 'b'])
  t.same(await store.list('connection'), ['a'])

  t.same((await client.hkeys(`${prefix}store`)).sort(), ['connection:a', 'secret:a', 'secret:b'])
  const raw = await client.hget(`${prefix}store`, 'secret:a')
  t.notMatch(raw, 'value-a')
  t.match(JSON.parse(raw ?? '{}'), { v: 1, kid: key.id, nonce: String, ct: String })

  t.equal(await store.update('secret', 'n', cur => String(Number(cur ?? 0) + 1)), '1')
  t.equal(await store.update('secret', 'n', () => undefined), '1')
  t.equal(await store.delete('secret', 'b'), true)
  t.equal(await store.delete('secret', 'b'), false)
  t.same(await store.list('secret'), ['a', 'n'])
  await store.ping()
})

t.test('the default prefix is latchkey:', async t => {
  const { url, prefix } = await testRedis(t)
  // The client's own keyPrefix keeps this test off the real latchkey:store of a shared server.
  const client = new Redis(url, { keyPrefix: prefix })
  t.teardown(() => client.quit())
  const store = await openSealedStore({ type: 'redis' }, key, { redis: client })
  t.equal((store as RedisStore).hashKey, 'latchkey:store')
  await store.put('secret', 'x', '1')
  t.same(await client.hkeys('latchkey:store'), ['secret:x'])
  await store.close()
})

t.test('concurrent updates from two stores are not lost (WATCH/MULTI retry)', async t => {
  const { url, prefix } = await testRedis(t)
  const a = await RedisStore.open({ url, keyPrefix: prefix }, key)
  const b = await RedisStore.open({ url, keyPrefix: prefix }, key)
  t.teardown(async () => { await a.close(); await b.close() })
  const bump = (cur: string | undefined): string => String(Number(cur ?? 0) + 1)
  await Promise.all(Array.from({ length: 25 }, (_, i) => (i % 2 === 0 ? a : b).update('secret', 'counter', bump)))
  t.equal(await a.get('secret', 'counter'), '25')
})

t.test('close() quits a client it created and leaves a passed one open', async t => {
  const { url, prefix, client } = await testRedis(t)
  const shared = await openSealedStore({ type: 'redis', key_prefix: prefix }, key, { redis: client })
  await shared.put('secret', 'x', '1')
  await shared.close()
  t.equal(await client.ping(), 'PONG', 'the passed client still works')

  const owned = await RedisStore.open({ url, keyPrefix: prefix }, key)
  const ownClient = (owned as unknown as { client: Redis }).client
  await owned.close()
  t.match(ownClient.status, /^(close|end)$/, 'the client it created is closed')
})

t.test('opening with another key fails at open', async t => {
  const { url, prefix } = await testRedis(t)
  const store = await RedisStore.open({ url, keyPrefix: prefix }, key)
  await store.put('secret', 'a', '1')
  await store.close()
  const wrong = parseMasterKey(generateMasterKey())
  await t.rejects(RedisStore.open({ url, keyPrefix: prefix }, wrong), {
    code: 'wrong_key',
    message: `redis store ${prefix}store: 1 record sealed with key ${key.id}, configured master key is ${wrong.id}: wrong LATCHKEY_MASTER_KEY?`,
  })
})

t.test('a process left on the old key after rotation elsewhere cannot add records', async t => {
  const { url, prefix } = await testRedis(t)
  const gateway = await RedisStore.open({ url, keyPrefix: prefix }, key)
  const cli = await RedisStore.open({ url, keyPrefix: prefix }, key)
  t.teardown(async () => { await gateway.close(); await cli.close() })
  await gateway.put('secret', 'a', '1')
  await cli.rotateKey(parseMasterKey(generateMasterKey()))
  await t.rejects(gateway.put('secret', 'b', '2'), { code: 'wrong_key' })
  await t.rejects(gateway.update('secret', 'a', () => '3'), { code: 'wrong_key' })
  t.same(await cli.list('secret'), ['a'])
})

t.test('an unreachable Redis is an io error, and open does not leave a reconnecting client', async t => {
  await t.rejects(RedisStore.open({ url: 'redis://127.0.0.1:1' }, key), { code: 'io', message: /^redis store: / })
})

t.test('a Redis outage is an io error, and the store recovers when Redis is back', async t => {
  const server = await startRedisServer(t)
  const store = await RedisStore.open({ url: server.url }, key)
  t.teardown(() => store.close())
  await store.put('secret', 'a', '1')

  await server.stop()
  const started = Date.now()
  await Promise.all([
    t.rejects(store.get('secret', 'a'), { name: 'StoreError', code: 'io', message: /^redis store: / }),
    t.rejects(store.ping(), { code: 'io' }, 'readiness check fails'),
  ])
  t.ok(Date.now() - started < 5_000, `failed fast (${Date.now() - started} ms)`)

  await server.start() // same port, empty: the server keeps nothing on disk
  let value: string | undefined | Error = new Error('not reconnected')
  for (let i = 0; i < 100 && value instanceof Error; i++) {
    value = await store.get('secret', 'a').catch((err: Error) => err)
    if (value instanceof Error) await new Promise(resolve => setTimeout(resolve, 50))
  }
  t.equal(value, undefined, 'answers again (the restarted server is empty)')
  await store.put('secret', 'b', '2')
  t.equal(await store.get('secret', 'b'), '2')
})
