/**
 * SPEC 7.1: 200 concurrent requests for a missing token cause exactly one token request in one
 * process, with the memory cache and with the Redis cache; every request carries that token.
 */
import t, { type Test } from 'tap'
import { startGateway } from '../../helpers/gateway.js'
import { testRedis } from '../../helpers/redis.js'
import { tokenEndpoint } from '../../helpers/token-endpoint.js'
import { recordingUpstream } from '../../helpers/upstream.js'

const CONCURRENCY = 200

function singleFlight (name: string, cache: (t: Test) => Promise<string>) {
  t.test(name, async (t) => {
    const idp = await tokenEndpoint(t, { delayMs: 150 })
    const upstream = await recordingUpstream(t)
    const lk = await startGateway(t, `
server: { allow_private_upstreams: true }
${await cache(t)}
connectors:
  api:
    base_url: ${upstream.url}
    auth:
      methods:
        cc: { type: oauth_client_credentials, token_url: "${idp.url}", client_id: sf-client, client_secret: "{{ get_secret('cs') }}" }
connections:
  one: { connector: api, access: { anonymous: true } }
  two: { connector: api, access: { anonymous: true } }
`, { secrets: { cs: 'cs-single-flight-77' } })

    const started = performance.now()
    const statuses = await Promise.all(Array.from({ length: CONCURRENCY }, async (_, i) => {
      const res = await lk.fetch(`/proxy/${i % 4 === 0 ? 'two' : 'one'}/item/${i}`)
      await res.text()
      return res.status
    }))
    const ms = Math.round(performance.now() - started)
    t.same(statuses.filter((s) => s !== 200), [], 'every request succeeds')
    t.equal(idp.requests.length, 2, 'exactly one token request per key (two connections, two keys)')
    t.equal(upstream.received.length, CONCURRENCY)
    const bearers = new Set(upstream.received.map((r) => r.headers.authorization))
    t.same([...bearers].sort(), idp.issued.map((tok) => `Bearer ${tok}`).sort(), 'each request carries one of the two tokens')
    t.comment(`${name}: ${CONCURRENCY} cold requests in ${ms} ms`)
  })
}

singleFlight('memory cache', async () => 'cache: { type: memory }')
singleFlight('redis cache', async (t) => {
  const redis = await testRedis(t)
  return `cache: { type: redis, url: "${redis.url}", key_prefix: "${redis.prefix}" }`
})
