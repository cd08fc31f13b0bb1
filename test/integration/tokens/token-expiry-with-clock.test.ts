/**
 * SPEC 7.1 lifetime of client-credentials tokens, on an injected clock: `expires_in - 60 s`,
 * 3600 - 60 s when `expires_in` is absent, and an expired token is never injected (a token that
 * lives a minute or less serves only the request that fetched it). Memory and Redis tiers.
 */
import t, { type Test } from 'tap'
import { startGateway, type TestGateway } from '../../helpers/gateway.js'
import { testRedis } from '../../helpers/redis.js'
import { tokenEndpoint } from '../../helpers/token-endpoint.js'
import { recordingUpstream, type RecordingUpstream } from '../../helpers/upstream.js'

const START_MS = 1_900_000_000_000

async function setup (t: Test, cache: string) {
  const clock = { now: START_MS }
  const idp = await tokenEndpoint(t)
  const upstream = await recordingUpstream(t)
  const lk = await startGateway(t, `
server: { allow_private_upstreams: true }
${cache}
connectors:
  api:
    base_url: ${upstream.url}
    auth:
      methods:
        cc: { type: oauth_client_credentials, token_url: "${idp.url}", client_id: expiry-client, client_secret: "{{ get_secret('cs') }}" }
connections:
  api: { connector: api, access: { anonymous: true } }
`, { secrets: { cs: 'cs-expiry-5a4b3c2d' }, clock: () => clock.now })
  return { clock, idp, upstream, lk }
}

async function bearerAt (t: Test, env: { clock: { now: number }, lk: TestGateway, upstream: RecordingUpstream }, offsetMs: number): Promise<string> {
  env.clock.now = START_MS + offsetMs
  const res = await env.lk.fetch('/proxy/api/x')
  t.equal(res.status, 200)
  await res.text()
  return env.upstream.last().headers.authorization ?? ''
}

function lifetimeTests (name: string, cache: (t: Test) => Promise<string>) {
  t.test(name, async (t) => {
    const env = await setup(t, await cache(t))
    const { idp } = env
    const bearer = (offsetMs: number) => bearerAt(t, env, offsetMs)
    const expect = (i: number) => `Bearer ${idp.issued[i - 1]}`

    // expires_in: 120 -> usable for 60 s.
    idp.expiresIn = 120
    t.equal(await bearer(0), expect(1))
    t.equal(await bearer(30_000), expect(1), 'reused at 30 s')
    t.equal(await bearer(59_999), expect(1), 'reused until 60 s')
    t.equal(idp.requests.length, 1)
    t.equal(await bearer(60_000), expect(2), 'refetched at 60 s: expires_in - 60')
    t.equal(idp.requests.length, 2)

    // expires_in absent -> 3600 - 60 s from the fetch at 60 s.
    idp.expiresIn = undefined
    t.equal(await bearer(120_000), expect(3), 'the expires_in: 120 token ran out at 120 s')
    t.equal(await bearer(120_000 + 3_539_999), expect(3), 'reused until 3540 s later')
    t.equal(await bearer(120_000 + 3_540_000), expect(4), 'refetched at 3600 - 60 s')

    // A token that lives 60 s or less is never cached: each request gets a fresh one.
    idp.expiresIn = 30
    const base = 120_000 + 3_540_000 + 3_540_000
    t.equal(await bearer(base), expect(5))
    t.equal(await bearer(base), expect(6), 'expires_in 30: not reused, even in the same millisecond')
    t.equal(idp.requests.length, 6)

    // expires_in as a numeric string is understood; garbage falls back to 3600.
    idp.answer = (_req, fresh) => ({ body: { access_token: fresh(), expires_in: '90' } })
    const b2 = base + 1_000
    t.equal(await bearer(b2), expect(7))
    t.equal(await bearer(b2 + 29_999), expect(7), '"90" -> 30 s')
    idp.answer = (_req, fresh) => ({ body: { access_token: fresh(), expires_in: 'soon' } })
    t.equal(await bearer(b2 + 30_000), expect(8))
    t.equal(await bearer(b2 + 30_000 + 3_539_999), expect(8), 'unparseable expires_in -> 3600 - 60 s')
    t.equal(await bearer(b2 + 30_000 + 3_540_000), expect(9))
    t.equal(idp.requests.length, 9)
  })
}

lifetimeTests('memory cache', async () => 'cache: { type: memory }')
lifetimeTests('redis cache', async (t) => {
  const redis = await testRedis(t)
  return `cache: { type: redis, url: "${redis.url}", key_prefix: "${redis.prefix}" }`
})

