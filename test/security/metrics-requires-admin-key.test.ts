/**
 * /metrics names every connection and shows its traffic and token health (SPEC 9): on the
 * gateway's port it answers an api key with `admin: true` only, refusing exactly as /admin does.
 */
import t from 'tap'
import { startGateway } from '../helpers/gateway.js'
import { METRICS_ADMIN_KEY, METRICS_CALLERS, METRICS_CALLER_SECRETS } from '../helpers/metrics.js'

t.test('/metrics answers only an admin key', async (t) => {
  const lk = await startGateway(t, `
server: { port: 0 }
${METRICS_CALLERS}
    ro: { key: "{{ get_secret('ro_key') }}", admin: false }
`, { secrets: { ...METRICS_CALLER_SECRETS, ro_key: 'ak-metrics-readonly-51ab' } })

  const refusals: Array<[string, Record<string, string>, number, string]> = [
    ['no credentials', {}, 401, 'unauthenticated'],
    ['a wrong key', { 'x-latchkey-key': 'not-a-key' }, 401, 'unauthenticated'],
    ['a non-admin key', { 'x-latchkey-key': METRICS_CALLER_SECRETS.svc_key }, 403, 'forbidden'],
    ['a key with admin: false', { 'x-latchkey-key': 'ak-metrics-readonly-51ab' }, 403, 'forbidden'],
    ['the admin key as a bearer token', { authorization: `Bearer ${METRICS_ADMIN_KEY}` }, 401, 'unauthenticated'],
  ]
  for (const [who, headers, status, code] of refusals) {
    for (const method of ['GET', 'HEAD']) {
      const res = await lk.fetch('/metrics', { method, headers })
      const text = await res.text()
      t.equal(res.status, status, `${method} by ${who}: ${status}`)
      t.notMatch(text, /latchkey_requests_total/, `${method} by ${who}: no metrics in the answer`)
      if (method === 'GET') t.equal((JSON.parse(text) as { error: { code: string } }).error.code, code)
    }
  }

  const ok = await lk.fetch('/metrics', { headers: { 'x-latchkey-key': METRICS_ADMIN_KEY } })
  t.equal(ok.status, 200)
  t.match(ok.headers.get('content-type'), /^text\/plain/)
  t.match(await ok.text(), /latchkey_requests_total\{connection="",status_class="4xx"\} \d+/)

  const post = await lk.fetch('/metrics', { method: 'POST', headers: { 'x-latchkey-key': METRICS_ADMIN_KEY } })
  t.equal(post.status, 405, 'other methods are 405')
  t.equal(post.headers.get('allow'), 'GET, HEAD')
})
