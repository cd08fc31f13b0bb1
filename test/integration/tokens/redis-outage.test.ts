/**
 * The Redis token tier going away during traffic: requests keep succeeding from the in-process
 * tier, a token that runs out meanwhile is fetched directly, nothing waits on the dead Redis;
 * once Redis is back, new tokens are stored there again and another gateway reuses them.
 */
import t from 'tap'
import { generateMasterKey } from '../../../src/secrets/master-key.js'
import { startGateway, type TestGateway } from '../../helpers/gateway.js'
import { startRedisServer } from '../../helpers/redis.js'
import { tokenEndpoint } from '../../helpers/token-endpoint.js'
import { recordingUpstream } from '../../helpers/upstream.js'
import { Redis } from 'ioredis'

const START_MS = 1_900_000_000_000
const PREFIX = 'lk-outage:'
const LIFE_MS = 3_540_000 // expires_in 3600 - 60 s

t.test('redis stopped and started during traffic', async (t) => {
  const redis = await startRedisServer(t)
  const idp = await tokenEndpoint(t)
  const upstream = await recordingUpstream(t)
  const clock = { now: START_MS }
  const masterKey = generateMasterKey()
  const yaml = `
server: { allow_private_upstreams: true }
cache: { type: redis, url: "${redis.url}", key_prefix: "${PREFIX}" }
connectors:
  api:
    base_url: ${upstream.url}
    auth:
      methods:
        cc: { type: oauth_client_credentials, token_url: "${idp.url}", client_id: outage-client, client_secret: cs-outage-literal }
connections:
  api: { connector: api, access: { anonymous: true } }
`
  const start = () => startGateway(t, yaml, { clock: () => clock.now, env: { LATCHKEY_MASTER_KEY: masterKey } })
  const lk = await start()
  const call = async (gw: TestGateway, atMs: number) => {
    clock.now = START_MS + atMs
    const started = performance.now()
    const res = await gw.fetch('/proxy/api/x')
    await res.text()
    const ms = performance.now() - started
    return { status: res.status, bearer: upstream.last().headers.authorization, ms }
  }
  const tokenKeys = async () => {
    const client = new Redis(redis.url, { lazyConnect: true })
    await client.connect()
    try {
      return await client.keys(`${PREFIX}token:*`)
    } finally {
      client.disconnect()
    }
  }

  let r = await call(lk, 0)
  t.equal(r.status, 200)
  t.equal(r.bearer, `Bearer ${idp.issued[0]}`)
  t.equal((await tokenKeys()).length, 1, 'the token is in Redis')

  await redis.stop()
  for (let i = 0; i < 5; i++) {
    r = await call(lk, 1000 + i)
    t.equal(r.status, 200, 'served while Redis is down')
    t.equal(r.bearer, `Bearer ${idp.issued[0]}`, 'from the in-process tier')
  }
  t.equal(idp.requests.length, 1, 'no token request while the cached token is good')

  r = await call(lk, LIFE_MS)
  t.equal(r.status, 200, 'the token ran out: fetched directly')
  t.equal(r.bearer, `Bearer ${idp.issued[1]}`)
  t.equal(idp.requests.length, 2)
  t.ok(r.ms < 1000, `without waiting on the dead Redis (${Math.round(r.ms)} ms)`)
  r = await call(lk, LIFE_MS + 1)
  t.equal(r.bearer, `Bearer ${idp.issued[1]}`, 'and kept in the process')
  t.equal(idp.requests.length, 2)
  t.ok(lk.logs.some((l) => l.includes('token cache (redis) unavailable')), 'the outage is logged once')
  t.equal(lk.logs.filter((l) => l.includes('token cache (redis) unavailable')).length, 1)

  await redis.start()
  // ioredis reconnects on its own schedule; /readyz reports the cache usable once it has.
  const deadline = Date.now() + 10_000
  while ((await lk.fetch('/readyz')).status !== 200) {
    if (Date.now() > deadline) throw new Error('the gateway did not reconnect to Redis within 10 s')
    await new Promise((resolve) => setTimeout(resolve, 50))
  }

  t.same(await tokenKeys(), [], 'the restarted Redis is empty')
  r = await call(lk, 2 * LIFE_MS)
  t.equal(r.status, 200)
  t.equal(r.bearer, `Bearer ${idp.issued[2]}`, 'a new token after the second expiry')
  t.equal((await tokenKeys()).length, 1, 'stored in Redis again')
  t.ok(lk.logs.some((l) => l.includes('token cache (redis) available again')))

  const other = await start()
  r = await call(other, 2 * LIFE_MS + 1)
  t.equal(r.status, 200)
  t.equal(r.bearer, `Bearer ${idp.issued[2]}`, 'another gateway reuses the token from Redis')
  t.equal(idp.requests.length, 3)
})

t.test('redis down at start: the gateway starts and serves', async (t) => {
  const redis = await startRedisServer(t)
  await redis.stop()
  const idp = await tokenEndpoint(t)
  const upstream = await recordingUpstream(t)
  const lk = await startGateway(t, `
server: { allow_private_upstreams: true }
cache: { type: redis, url: "${redis.url}", key_prefix: "${PREFIX}" }
connectors:
  api:
    base_url: ${upstream.url}
    auth:
      methods:
        cc: { type: oauth_client_credentials, token_url: "${idp.url}", client_id: outage-client, client_secret: cs-outage-literal }
connections:
  api: { connector: api, access: { anonymous: true } }
`)
  const res = await lk.fetch('/proxy/api/x')
  t.equal(res.status, 200)
  await res.text()
  t.equal(upstream.last().headers.authorization, `Bearer ${idp.issued[0]}`)
  const ready = await lk.fetch('/readyz')
  t.equal(ready.status, 503)
  t.same(await ready.json(), { status: 'not_ready', failing: ['cache'] })
})
