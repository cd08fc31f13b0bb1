/**
 * SPEC 7.1 back-off after a token endpoint failure, on an injected clock: requests during the
 * back-off fail fast with 502 token_exchange_failed and no token request; the back-off doubles
 * (1 s, 2 s); the first request after it succeeds as soon as the endpoint answers again. With
 * Redis, a second gateway sharing the cache honours the first one's back-off.
 */
import t, { type Test } from 'tap'
import { generateMasterKey } from '../../../src/secrets/master-key.js'
import { startGateway, type TestGateway } from '../../helpers/gateway.js'
import { testRedis } from '../../helpers/redis.js'
import { tokenEndpoint, type TokenEndpoint } from '../../helpers/token-endpoint.js'
import { recordingUpstream, type RecordingUpstream } from '../../helpers/upstream.js'

const START_MS = 1_900_000_000_000

interface Env { clock: { now: number }, idp: TokenEndpoint, upstream: RecordingUpstream, yaml: string, masterKey: string }

async function setup (t: Test, cache: string): Promise<Env> {
  const idp = await tokenEndpoint(t)
  const upstream = await recordingUpstream(t)
  // A literal secret (no store) so that two gateways can share one master key and one cache.
  const yaml = `
server: { allow_private_upstreams: true }
${cache}
connectors:
  api:
    base_url: ${upstream.url}
    auth:
      methods:
        cc: { type: oauth_client_credentials, token_url: "${idp.url}", client_id: backoff-client, client_secret: cs-backoff-literal }
connections:
  api: { connector: api, access: { anonymous: true } }
`
  return { clock: { now: START_MS }, idp, upstream, yaml, masterKey: generateMasterKey() }
}

function gateway (t: Test, env: Env): Promise<TestGateway> {
  return startGateway(t, env.yaml, { clock: () => env.clock.now, env: { LATCHKEY_MASTER_KEY: env.masterKey } })
}

async function call (t: Test, lk: TestGateway, env: Env, atMs: number): Promise<{ status: number, code?: string }> {
  env.clock.now = START_MS + atMs
  const res = await lk.fetch('/proxy/api/x')
  const text = await res.text()
  return res.status === 200 ? { status: 200 } : { status: res.status, code: (JSON.parse(text) as { error: { code: string } }).error.code }
}

const FAILED = { status: 502, code: 'token_exchange_failed' }

function backoffTests (name: string, cache: (t: Test) => Promise<string>) {
  t.test(name, async (t) => {
    const env = await setup(t, await cache(t))
    const { idp, upstream } = env
    const lk = await gateway(t, env)
    let failing = true
    idp.answer = (_req, fresh) => failing ? { status: 503, body: { error: 'temporarily_unavailable' } } : { body: { access_token: fresh(), expires_in: 3600 } }

    t.same(await call(t, lk, env, 0), FAILED, 'the failure itself')
    t.equal(idp.requests.length, 1)
    t.same(await call(t, lk, env, 0), FAILED, 'right after: fails fast')
    t.same(await call(t, lk, env, 999), FAILED, 'still within the 1 s back-off')
    t.equal(idp.requests.length, 1, 'no token request during the back-off')

    t.same(await call(t, lk, env, 1000), FAILED, 'after 1 s: tried again, failed again')
    t.equal(idp.requests.length, 2)
    t.same(await call(t, lk, env, 2999), FAILED, 'the back-off doubled to 2 s')
    t.equal(idp.requests.length, 2)

    failing = false
    t.same(await call(t, lk, env, 2999), FAILED, 'the endpoint is back, but the back-off still holds')
    t.equal(idp.requests.length, 2)
    t.same(await call(t, lk, env, 3000), { status: 200 }, 'recovered as soon as the back-off ends')
    t.equal(idp.requests.length, 3)
    t.equal(upstream.last().headers.authorization, `Bearer ${idp.issued[0]}`)
    t.same(await call(t, lk, env, 3001), { status: 200 })
    t.equal(idp.requests.length, 3, 'and the token is cached again')
    t.equal(upstream.received.length, 2, 'the upstream saw only the successful requests')

    // A later failure starts again at 1 s: success resets the back-off.
    failing = true
    const afterIt = 3000 + 3_600_000
    t.same(await call(t, lk, env, afterIt), FAILED)
    failing = false
    t.same(await call(t, lk, env, afterIt + 999), FAILED)
    t.same(await call(t, lk, env, afterIt + 1000), { status: 200 }, 'back to a 1 s back-off after a success')
  })
}

backoffTests('memory cache', async () => 'cache: { type: memory }')
backoffTests('redis cache', async (t) => {
  const redis = await testRedis(t)
  return `cache: { type: redis, url: "${redis.url}", key_prefix: "${redis.prefix}" }`
})

t.test('redis: another gateway honours the back-off', async (t) => {
  const redis = await testRedis(t)
  const env = await setup(t, `cache: { type: redis, url: "${redis.url}", key_prefix: "${redis.prefix}" }`)
  const { idp } = env
  const [one, two] = [await gateway(t, env), await gateway(t, env)]
  let failing = true
  idp.answer = (_req, fresh) => failing ? { status: 500, body: '' } : { body: { access_token: fresh(), expires_in: 3600 } }

  t.same(await call(t, one, env, 0), FAILED)
  t.equal(idp.requests.length, 1)
  t.same(await call(t, two, env, 500), FAILED, 'the other gateway fails fast')
  t.equal(idp.requests.length, 1, 'without a token request of its own')
  const markers = await redis.client.keys(`${redis.prefix}token-fail:*`)
  t.equal(markers.length, 1, 'a failure marker in Redis')
  const ttl = await redis.client.pttl(markers[0]!)
  t.ok(ttl > 0 && ttl <= 1000, `the marker lives as long as the back-off (${ttl} ms), on the gateway clock`)

  failing = false
  t.same(await call(t, two, env, 1000), { status: 200 }, 'after the back-off the other gateway fetches')
  t.same(await call(t, one, env, 1001), { status: 200 }, 'and the first one reuses its token')
  t.equal(idp.requests.length, 2)
})
