/**
 * latchkey_token_lock_wait_seconds observes every request that waited for another request's
 * fetch of the same token: concurrent cold requests in one process (the in-flight promise) and a
 * second gateway held off by the first one's Redis lock. Labelled by connection only.
 */
import t from 'tap'
import { startGateway } from '../../helpers/gateway.js'
import { METRICS_CALLERS, METRICS_CALLER_SECRETS, sample, scrape } from '../../helpers/metrics.js'
import { testRedis } from '../../helpers/redis.js'
import { generateMasterKey } from '../../../src/secrets/master-key.js'
import { tokenEndpoint } from '../../helpers/token-endpoint.js'
import { recordingUpstream } from '../../helpers/upstream.js'

const CLIENT_SECRET = 'cc-secret-lockwait-4a5b'

t.test('waits for a single-flight token are counted with their duration', async (t) => {
  const redis = await testRedis(t)
  const idp = await tokenEndpoint(t, { delayMs: 300 })
  const upstream = await recordingUpstream(t)
  const yaml = `
cache: { type: redis, url: "${redis.url}", key_prefix: "${redis.prefix}" }
server: { allow_private_upstreams: true }
connectors:
  api:
    base_url: ${upstream.url}
    auth:
      methods:
        cc: { type: oauth_client_credentials, token_url: "${idp.url}/token", client_id: app, client_secret: "{{ get_secret('cc_secret') }}" }
connections:
  billing: { connector: api, access: { anonymous: true } }
${METRICS_CALLERS}`
  const env = { LATCHKEY_MASTER_KEY: generateMasterKey() }
  const secrets = { ...METRICS_CALLER_SECRETS, cc_secret: CLIENT_SECRET }
  const a = await startGateway(t, yaml, { env, secrets })
  const b = await startGateway(t, yaml, { env, secrets })
  const call = async (gw: typeof a) => {
    const res = await gw.fetch('/proxy/billing/x')
    await res.arrayBuffer()
    return res.status
  }

  // Four on A (one fetches, three join it), and one on B once A holds the Redis lock.
  const onA = Promise.all([call(a), call(a), call(a), call(a)])
  for (let i = 0; i < 400 && idp.requests.length === 0; i++) await new Promise((resolve) => setTimeout(resolve, 5))
  const onB = call(b)
  t.same(await onA, [200, 200, 200, 200])
  t.equal(await onB, 200)
  t.equal(idp.requests.length, 1, 'one token request for both gateways')

  const textA = await scrape(a)
  t.equal(sample(textA, 'latchkey_token_lock_wait_seconds_count', { connection: 'billing' }), 3, 'three waits in process A')
  t.ok(sample(textA, 'latchkey_token_lock_wait_seconds_sum', { connection: 'billing' })! > 0.1, 'each waited for most of the slow fetch')
  const textB = await scrape(b)
  t.equal(sample(textB, 'latchkey_token_lock_wait_seconds_count', { connection: 'billing' }), 1, 'process B waited on the Redis lock')
  t.ok(sample(textB, 'latchkey_token_lock_wait_seconds_sum', { connection: 'billing' })! > 0.05)
  t.notMatch(textA + textB, CLIENT_SECRET)
})
