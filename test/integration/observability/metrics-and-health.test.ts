import t from 'tap'
import { recordingUpstream } from '../../helpers/upstream.js'
import { assertNoSecrets, startGateway } from '../../helpers/gateway.js'
import { METRICS_CALLERS, METRICS_CALLER_SECRETS, scrape } from '../../helpers/metrics.js'

const TOKEN = 'tok-metrics-5b0c9e1d'

t.test('/metrics counts requests by connection and status class, never a credential', async (t) => {
  const upstream = await recordingUpstream(t)
  const lk = await startGateway(t, `
connectors:
  api:
    base_url: ${upstream.url}
    auth: { methods: { b: { type: bearer, token: "{{ get_secret('tok') }}" } } }
connections:
  open: { connector: api, access: { anonymous: true } }
${METRICS_CALLERS}`, { secrets: { tok: TOKEN, ...METRICS_CALLER_SECRETS } })
  for (let i = 0; i < 3; i++) t.equal((await lk.fetch('/proxy/open/x')).status, 200)
  t.equal((await lk.fetch('/proxy/missing/x')).status, 404)

  const text = await scrape(lk)
  t.match(text, /latchkey_requests_total\{connection="open",status_class="2xx"\} 3/)
  t.match(text, /latchkey_requests_total\{connection="",status_class="4xx"\} 1/)
  t.match(text, /latchkey_upstream_duration_seconds_count\{connection="open"\} 3/)
  t.match(text, /latchkey_token_fetches_total\{result="ok"\} 0/)
  t.match(text, /latchkey_token_cache_total\{result="miss"\} 0/)
  assertNoSecrets(t, [text, ...lk.logs], [TOKEN])
})

t.test('/healthz and /readyz', async (t) => {
  const lk = await startGateway(t, 'server: { port: 0 }\n')
  const health = await lk.fetch('/healthz')
  t.equal(health.status, 200)
  t.same(await health.json(), { status: 'ok' })
  const ready = await lk.fetch('/readyz')
  t.equal(ready.status, 200)
  t.same(await ready.json(), { status: 'ready' })
})

t.test('/readyz names the failing part', async (t) => {
  const lk = await startGateway(t, 'cache: { type: redis, url: "redis://127.0.0.1:1/0" }\n')
  const ready = await lk.fetch('/readyz')
  t.equal(ready.status, 503)
  t.same(await ready.json(), { status: 'not_ready', failing: ['cache'] })
})
