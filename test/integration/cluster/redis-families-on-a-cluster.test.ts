/**
 * Every Redis user of latchkey, opened through src/redis/connect.ts on a real 3-master cluster
 * (`cluster_nodes`), doing its multi-key work: the sealed store's WATCH/MULTI update with its
 * PUBLISH and the watch that hears it, the token lock with its re-check and announcements, a
 * rate window, session consumption and OAuth state, and the event queue's scripts. A CROSSSLOT
 * error anywhere fails the test; the slots of the token family are asserted directly.
 */
import { once } from 'node:events'
import { Redis } from 'ioredis'
import t from 'tap'
import { RedisRateCounter } from '../../../src/callers/rate-limit.js'
import { RedisSessionStore } from '../../../src/connect/redis-sessions.js'
import { makeEvent } from '../../../src/events/event.js'
import { RedisEventQueue } from '../../../src/events/queue/redis.js'
import { closeRedisClient, createRedisClient, createRedisSubscriber } from '../../../src/redis/connect.js'
import { tokenKeys } from '../../../src/redis/keys.js'
import { generateMasterKey, parseMasterKey } from '../../../src/secrets/master-key.js'
import { openSealedStore } from '../../../src/secrets/open-store.js'
import { createSealer } from '../../../src/secrets/seal.js'
import { RedisTokenStore } from '../../../src/tokens/redis-store.js'
import { redisCluster } from '../../helpers/redis-cluster.js'

const behaviour = { offlineQueue: false, retriesPerRequest: 0, commandTimeoutMs: 2000, connectTimeoutMs: 2000 }

t.test('the sealed store: put, atomic update with its PUBLISH, watch from another client', async (t) => {
  const cluster = await redisCluster()
  const key = parseMasterKey(generateMasterKey())
  const config = { type: 'redis' as const, cluster_nodes: cluster.urls, key_prefix: cluster.prefix() }
  const writer = await openSealedStore(config, key)
  const reader = await openSealedStore(config, key)
  t.teardown(async () => { await writer.close(); await reader.close() })

  const heard: string[] = []
  const watch = reader.watch!((identity) => heard.push(identity))
  t.teardown(() => watch.close())
  const deadline = Date.now() + 5000
  while (!watch.healthy() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20))
  t.ok(watch.healthy(), 'the watch subscribed')

  await writer.put('secret', 'api_token', 's3cr3t-value')
  t.equal(await reader.get('secret', 'api_token'), 's3cr3t-value', 'read through another client')
  // Racing updates: WATCH/MULTI retries until each increment lands, none is lost.
  await writer.put('connection', 'c1', '0')
  await Promise.all(Array.from({ length: 10 }, () => writer.update('connection', 'c1', (v) => String(Number(v) + 1))))
  t.equal(await reader.get('connection', 'c1'), '10', 'ten concurrent updates, none lost')
  t.same(await reader.list('secret'), ['api_token'])
  t.equal(await writer.delete('secret', 'api_token'), true)

  // Announced in order: the put, eleven writes of c1, then the delete.
  const count = (identity: string) => heard.filter((h) => h === identity).length
  const until = Date.now() + 5000
  while (count('secret:api_token') < 2 && Date.now() < until) await new Promise((resolve) => setTimeout(resolve, 20))
  t.equal(count('secret:api_token'), 2, 'the put and the delete were announced to the other client')
  t.equal(count('connection:c1'), 11, 'so was every write of the updated record')
})

t.test('tokens: lock, re-check, back-off mark in one slot; announcements reach other processes', async (t) => {
  const cluster = await redisCluster()
  const prefix = cluster.prefix()
  const endpoint = { cluster_nodes: cluster.urls }
  const sealer = await createSealer(parseMasterKey(generateMasterKey()))
  const open = async () => {
    const client = createRedisClient(endpoint, behaviour)
    const subscriber = createRedisSubscriber(endpoint, behaviour)
    await Promise.all([client.connect(), subscriber.connect()])
    const store = await RedisTokenStore.open({ client, subscriber, prefix, sealer })
    t.teardown(async () => { await store.close(); await closeRedisClient(client) })
    return store
  }
  const [a, b] = await Promise.all([open(), open()])

  const tokenKey = 'Qm9ndXNLZXlGb3JUaGVUb2tlbkNhY2hlVGVzdDEyMzQ1Ng'
  const keys = tokenKeys(prefix)
  const slots = await Promise.all([keys.token(tokenKey), keys.lock(tokenKey), keys.failure(tokenKey)].map((k) => cluster.keySlot(k)))
  t.equal(new Set(slots).size, 1, 'token, lock and back-off mark hash to one slot')

  const lock = await a.lock(tokenKey, 5000)
  t.ok(lock, 'a takes the lock')
  t.equal(await b.lock(tokenKey, 5000), undefined, 'b is refused while a holds it')
  const woken = b.waitForAnnouncement(tokenKey, 5000)
  await a.set(tokenKey, { access_token: 'tok-1', expires_at: Date.now() + 60_000 }, 60_000)
  const started = Date.now()
  await a.announce(tokenKey)
  await woken
  t.ok(Date.now() - started < 4000, 'b was woken by the announcement, not its timeout')
  t.same(await b.get(tokenKey), { access_token: 'tok-1', expires_at: (await a.get(tokenKey))!.expires_at }, 'b re-checks and finds the token')
  await lock!.release()
  t.ok(await b.lock(tokenKey, 5000), 'released by its owner, b may take it')

  await a.setFailure(tokenKey, Date.now() + 1000, 1000)
  t.ok((await b.failureUntil(tokenKey)) !== undefined, 'the back-off mark is shared')
})

t.test('rate windows, sessions and OAuth state on the cluster', async (t) => {
  const cluster = await redisCluster()
  const prefix = cluster.prefix()
  const client = createRedisClient({ cluster_nodes: cluster.urls }, behaviour)
  await client.connect()
  t.teardown(() => closeRedisClient(client))

  const counter = new RedisRateCounter(client, prefix)
  const counts = await Promise.all(Array.from({ length: 5 }, () => counter.increment('conn:caller:svc', 60_000)))
  t.same(counts.map((c) => c.count).sort(), [1, 2, 3, 4, 5], 'one shared window')
  t.ok(counts.every((c) => c.resetMs > 0 && c.resetMs <= 60_000))

  const sessions = new RedisSessionStore(client, prefix)
  const token = await sessions.create({ connector: 'github', connection: 'gh', owner: null, return_to: null, auth: null, created_by: 'svc', expires_at: Date.now() + 60_000 })
  const taken = await Promise.all([sessions.consume(token), sessions.consume(token), sessions.consume(token)])
  t.equal(taken.filter((s) => s.state === 'live').length, 1, 'exactly one consumer gets the session')

  await sessions.putOAuthState('abc123', { session: 'digest', connection: 'gh', return_to: null, method: 'oauth', config: {}, verifier: null, redirect_uri: 'http://127.0.0.1/cb', expires_at: Date.now() + 60_000 })
  const states = await Promise.all([sessions.takeOAuthState('abc123'), sessions.takeOAuthState('abc123')])
  t.same(states.map((s) => s.state).sort(), ['live', 'used'], 'the OAuth state is taken once')
})

t.test('the event queue: enqueue with dedupe, claim, ack, all under {events}', async (t) => {
  const cluster = await redisCluster()
  const client = createRedisClient({ cluster_nodes: cluster.urls }, behaviour)
  await client.connect()
  const queue = new RedisEventQueue(client, cluster.prefix())
  t.teardown(() => queue.close())

  const now = Date.now()
  const event = makeEvent('connection.created', { connection: 'gh' }, { url: 'http://127.0.0.1:1/', guarded: false }, now)
  t.equal(await queue.enqueue(event, now, { key: 'provider-1', ttlMs: 60_000 }), 'queued')
  t.equal(await queue.enqueue(makeEvent('connection.created', { connection: 'gh' }, { url: 'http://127.0.0.1:1/', guarded: false }, now), now, { key: 'provider-1', ttlMs: 60_000 }), 'duplicate')
  const claimed = await queue.claim(now, 10_000, 10)
  t.same(claimed.map((c) => c.event.id), [event.id])
  await queue.ack(claimed[0]!)
  t.same(await queue.stats(now), { depth: 0, oldestAgeSeconds: 0 }, 'acknowledged and gone')
})

t.test('a subscriber moves to another node when its node dies', async (t) => {
  const cluster = await redisCluster()
  const subscriber = createRedisSubscriber({ cluster_nodes: cluster.urls }, behaviour)
  subscriber.on('error', () => {})
  await subscriber.connect()
  t.teardown(() => subscriber.disconnect())
  const channel = `${cluster.prefix()}probe`
  await subscriber.subscribe(channel)
  const first = cluster.nodes[0]!
  t.equal(subscriber.options.port, first.port, 'starts on the first listed node')

  await first.kill('SIGKILL')
  t.teardown(async () => { await first.start(); await cluster.waitHealthy() })
  await once(subscriber, 'ready')
  t.not(subscriber.options.port, first.port, 'reconnected to another node')
  // Published on a node other than the subscriber's: cluster pub/sub reaches every node.
  const other = cluster.nodes.find((n) => n !== first && n.port !== subscriber.options.port)!
  const publisher = new Redis({ host: '127.0.0.1', port: other.port, lazyConnect: true })
  await publisher.connect()
  t.teardown(() => publisher.disconnect())
  const got = once(subscriber, 'message')
  await publisher.publish(channel, 'hello')
  t.same(await got, [channel, 'hello'], 'and still hears the cluster')
})
