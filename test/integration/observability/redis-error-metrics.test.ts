/**
 * latchkey_redis_errors_total counts Redis failures of the token cache by role: connection
 * errors reported by the client and commands that failed while a request still got its token.
 */
import t from 'tap'
import { startGateway } from '../../helpers/gateway.js'
import { METRICS_CALLERS, METRICS_CALLER_SECRETS, sample, scrape } from '../../helpers/metrics.js'
import { closedPort, tokenEndpoint } from '../../helpers/token-endpoint.js'
import { recordingUpstream } from '../../helpers/upstream.js'

t.test('an unreachable Redis cache is counted, and requests are still served', async (t) => {
  const idp = await tokenEndpoint(t)
  const upstream = await recordingUpstream(t)
  const port = await closedPort()
  const lk = await startGateway(t, `
cache: { type: redis, url: "redis://127.0.0.1:${port}/0" }
server: { allow_private_upstreams: true }
connectors:
  api:
    base_url: ${upstream.url}
    auth: { methods: { cc: { type: oauth_client_credentials, token_url: "${idp.url}/token", client_id: app, client_secret: s3cret-redis-errors } } }
connections:
  billing: { connector: api, access: { anonymous: true } }
${METRICS_CALLERS}`, { secrets: METRICS_CALLER_SECRETS })

  const before = sample(await scrape(lk), 'latchkey_redis_errors_total', { role: 'cache' })!
  t.ok(before >= 1, 'the failed connect at start is counted')
  t.ok(sample(await scrape(lk), 'latchkey_redis_errors_total', { role: 'cache_subscriber' })! >= 1)

  const res = await lk.fetch('/proxy/billing/x')
  t.equal(res.status, 200, 'served from the process while Redis is away')
  await res.arrayBuffer()
  const after = sample(await scrape(lk), 'latchkey_redis_errors_total', { role: 'cache' })!
  t.ok(after > before, `the failed token-cache command is counted (${before} -> ${after})`)
})
