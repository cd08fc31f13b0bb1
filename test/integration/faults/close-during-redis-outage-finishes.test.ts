/**
 * A gateway stopped while its Redis is away still closes: a client waiting to reconnect holds
 * QUIT in its offline queue and ioredis never ends it, so closing must not wait for 'end'.
 * (Before, the redis store's subscriber held the shutdown until the 30 s drain limit.)
 */
import t from 'tap'
import { startGateway } from '../../helpers/gateway.js'
import { startRedisServer } from '../../helpers/redis.js'

t.test('close() finishes while Redis is down', async (t) => {
  const redis = await startRedisServer(t)
  const lk = await startGateway(t, `
store: { type: redis, url: "${redis.url}/0", key_prefix: "outage-store:" }
cache: { type: redis, url: "${redis.url}/0", key_prefix: "outage-cache:" }
`)
  await redis.stop()
  // Let every client see the outage and start waiting to reconnect.
  await new Promise((resolve) => setTimeout(resolve, 500))
  const started = Date.now()
  await lk.close()
  const ms = Date.now() - started
  t.ok(ms < 3_000, `closed in ${ms} ms (a client that is not connected is disconnected, not sent QUIT)`)
})
