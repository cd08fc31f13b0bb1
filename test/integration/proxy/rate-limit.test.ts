import t from 'tap'
import { recordingUpstream } from '../../helpers/upstream.js'
import { startGateway } from '../../helpers/gateway.js'
import { testRedis } from '../../helpers/redis.js'

const KEYS = { a: 'key-a-6f1e2d3c4b5a', b: 'key-b-0a9b8c7d6e5f' }

async function limited (t: { teardown: (fn: () => unknown) => void }, cache: string) {
  const upstream = await recordingUpstream(t)
  const lk = await startGateway(t, `
${cache}
callers:
  api_keys:
    a: { key: "${KEYS.a}" }
    b: { key: "${KEYS.b}" }
connectors:
  api:
    base_url: ${upstream.url}
    auth: { methods: { none: { type: none } } }
connections:
  per-caller: { connector: api, access: { callers: ["*"] }, rate_limit: { max: 2, window: 60s, per: caller } }
  shared: { connector: api, access: { callers: ["*"] }, rate_limit: { max: 3, window: 60s, per: connection } }
`)
  const call = (conn: string, key: string) => lk.fetch(`/proxy/${conn}/x`, { headers: { 'x-latchkey-key': key } })
  return { upstream, call }
}

for (const [name, cache] of [['memory', ''], ['redis', 'redis']] as const) {
  t.test(`${name}: over the limit is 429 rate_limited with Retry-After, never forwarded`, async (t) => {
    let cacheYaml = ''
    if (cache === 'redis') {
      const redis = await testRedis(t)
      cacheYaml = `cache: { type: redis, url: "${redis.url}", key_prefix: "${redis.prefix}" }`
    }
    const { upstream, call } = await limited(t, cacheYaml)
    t.equal((await call('per-caller', KEYS.a)).status, 200)
    t.equal((await call('per-caller', KEYS.a)).status, 200)
    const refused = await call('per-caller', KEYS.a)
    t.equal(refused.status, 429)
    const body = await refused.json() as { error: { code: string } }
    t.equal(body.error.code, 'rate_limited')
    const retryAfter = Number(refused.headers.get('retry-after'))
    t.ok(retryAfter >= 1 && retryAfter <= 60, `Retry-After ${retryAfter}`)
    t.equal((await call('per-caller', KEYS.b)).status, 200, 'per caller: another caller has its own window')
    t.equal(upstream.received.length, 3, 'the refused request never reached the upstream')

    const statuses = []
    for (const key of [KEYS.a, KEYS.b, KEYS.a, KEYS.b]) statuses.push((await call('shared', key)).status)
    t.same(statuses, [200, 200, 200, 429], 'per connection: every caller shares one window')
  })
}
