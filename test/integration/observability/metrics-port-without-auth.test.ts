/**
 * `server.metrics_port` (SPEC 9): /metrics on a second listener without auth, for a scraper on
 * a private network. Nothing else is served there, the gateway's own /metrics still wants an
 * admin key, and the listener closes with the gateway.
 */
import { createConnection } from 'node:net'
import { once } from 'node:events'
import t from 'tap'
import { startGateway } from '../../helpers/gateway.js'
import { METRICS_CALLERS, METRICS_CALLER_SECRETS } from '../../helpers/metrics.js'

t.test('metrics_port serves /metrics without auth and nothing else', async (t) => {
  const lk = await startGateway(t, `
server: { port: 0, metrics_port: 0 }
connections:
  open: { connector: http, config: { base_url: "http://127.0.0.1:9" }, access: { anonymous: true } }
${METRICS_CALLERS}`, { secrets: METRICS_CALLER_SECRETS })
  const url = await lk.gateway.listenMetrics()
  t.ok(url !== null)
  t.match(url, /^http:\/\/127\.0\.0\.1:\d+$/, 'bound to server.host')
  t.not(url, lk.url)

  t.equal((await lk.fetch('/healthz')).status, 200)
  const res = await fetch(`${url!}/metrics`)
  t.equal(res.status, 200, 'no credentials needed on the metrics port')
  t.match(res.headers.get('content-type'), /^text\/plain/)
  t.match(await res.text(), /latchkey_requests_total\{connection="",status_class="2xx"\} 1/, 'the same registry as the gateway')

  for (const path of ['/healthz', '/admin/connections', '/proxy/open/x', '/metrics/x', '/']) {
    const other = await fetch(`${url!}${path}`)
    t.equal(other.status, 404, `${path} is not served on the metrics port`)
    t.notMatch(await other.text(), /latchkey_|connections/)
  }
  const post = await fetch(`${url!}/metrics`, { method: 'POST' })
  t.equal(post.status, 405)
  await post.arrayBuffer()

  t.equal((await lk.fetch('/metrics')).status, 401, 'the gateway port still wants an admin key')

  const port = Number(new URL(url!).port)
  await lk.close()
  const socket = createConnection({ host: '127.0.0.1', port })
  const [err] = await once(socket, 'error') as [NodeJS.ErrnoException]
  t.equal(err.code, 'ECONNREFUSED', 'the metrics listener closed with the gateway')
})

t.test('without metrics_port there is no second listener', async (t) => {
  const lk = await startGateway(t, 'server: { port: 0 }\n')
  t.equal(await lk.gateway.listenMetrics(), null)
})
