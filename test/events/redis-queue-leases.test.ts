/**
 * The Redis delivery queue (src/events/queue/redis.ts) on a real Redis: two processes claiming
 * at once never get the same event; a claim whose holder crashed runs out and is taken again;
 * an expired holder can no longer ack; every key sits under the one `{events}` hash tag.
 */
import { Redis } from 'ioredis'
import t from 'tap'
import { makeEvent } from '../../src/events/event.js'
import { RedisEventQueue } from '../../src/events/queue/redis.js'
import { testRedis } from '../helpers/redis.js'

t.test('leases', async (t) => {
  const redis = await testRedis(t)
  const open = () => {
    const client = new Redis(redis.url, { lazyConnect: false })
    const queue = new RedisEventQueue(client, redis.prefix)
    t.teardown(() => queue.close())
    return queue
  }
  const a = open()
  const b = open()
  const now = 1_000_000
  const dest = { url: 'http://127.0.0.1:9/x', guarded: false }
  for (let i = 0; i < 20; i++) await a.enqueue(makeEvent('connection.created', { connection: `c${i}` }, dest, now), now)

  const [fromA, fromB] = await Promise.all([a.claim(now, 60_000, 15), b.claim(now, 60_000, 15)])
  const ids = [...fromA, ...fromB].map((c) => c.event.id)
  t.equal(ids.length, 20, 'every event claimed')
  t.equal(new Set(ids).size, 20, 'none by both')
  t.same(await a.claim(now + 59_000, 60_000, 50), [], 'nothing due while leased')

  // B "crashes" holding its claims: after the lease they are A's.
  const retaken = await a.claim(now + 60_001, 60_000, 50)
  t.equal(retaken.length, 20)
  await b.ack(fromB[0]!)
  t.equal((await a.stats(now)).depth, 20, 'the expired holder cannot ack')
  for (const c of retaken) await a.ack(c)
  t.same(await a.stats(now), { depth: 0, oldestAgeSeconds: 0 })


  const dup = makeEvent('webhook.received', { connection: 'x' }, dest, now)
  t.equal(await a.enqueue(dup, now, { key: 'x\nevt_1', ttlMs: 1000 }), 'queued')
  t.equal(await b.enqueue(makeEvent('webhook.received', { connection: 'x' }, dest, now), now, { key: 'x\nevt_1', ttlMs: 1000 }), 'duplicate')
  t.equal((await a.stats(now + 2000)).depth, 1)
  t.equal((await a.stats(now + 2000)).oldestAgeSeconds, 2)
  const claimed = await a.claim(now, 60_000, 1)
  await a.bury(claimed[0]!, { attempts: 1, since: now }, now)

  const keys = await redis.client.keys(`${redis.prefix}*`)
  t.ok(keys.length >= 4, keys.join(' '))
  t.ok(keys.every((k) => k.startsWith(`${redis.prefix}{events}:`)), 'every key under the {events} hash tag')
})
