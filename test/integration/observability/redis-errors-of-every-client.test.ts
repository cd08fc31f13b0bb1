/**
 * latchkey_redis_errors_total counts the connection errors of every Redis client the gateway
 * holds, not only the token cache's: the sealed store and its subscriber, the event queue and
 * the connect-page sessions, each under its own role.
 */
import t from 'tap'
import { startGateway } from '../../helpers/gateway.js'
import { sample, scrape } from '../../helpers/metrics.js'
import { startRedisServer } from '../../helpers/redis.js'

const ADMIN_KEY = 'ak-redis-roles-admin-51f0c2'
const ROLES = ['store', 'store_subscriber', 'events', 'connect_sessions', 'cache'] as const

t.test('each Redis client counts its connection errors under its role', async (t) => {
  const redis = await startRedisServer(t)
  const lk = await startGateway(t, `
store: { type: redis, url: "${redis.url}/0", key_prefix: "roles-store:" }
cache: { type: redis, url: "${redis.url}/0", key_prefix: "roles-cache:" }
callers:
  api_keys:
    ops: { key: "${ADMIN_KEY}", admin: true }
`)
  const at = async (): Promise<Record<string, number>> => {
    const text = await scrape(lk, ADMIN_KEY)
    return Object.fromEntries(ROLES.map((role) => [role, sample(text, 'latchkey_redis_errors_total', { role }) ?? -1]))
  }
  t.same(await at(), { store: 0, store_subscriber: 0, events: 0, connect_sessions: 0, cache: 0 }, 'every role is exported at 0 while Redis answers')

  await redis.stop()
  let seen = await at()
  for (let waited = 0; waited < 15_000 && ROLES.some((role) => seen[role]! < 1); waited += 250) {
    await new Promise((resolve) => setTimeout(resolve, 250))
    seen = await at()
  }
  for (const role of ROLES) t.ok(seen[role]! >= 1, `${role}: ${seen[role]} errors counted while Redis is away`)
})
