/**
 * SPEC 6.3: every response, proxied or latchkey's own error, carries `X-Request-Id` (the
 * caller's when it is a safe token, else a generated one) and `Server-Timing` with at least
 * `auth`, `upstream` and `total`. Error bodies name the same request id.
 */
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import t, { type Test } from 'tap'
import { startGateway } from '../../helpers/gateway.js'
import { rawRequest, type RawResponse } from '../../helpers/raw-http.js'
import { recordingUpstream } from '../../helpers/upstream.js'

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/

t.test('X-Request-Id and Server-Timing on every response', async (t) => {
  const upstream = await recordingUpstream(t, (_req, res) => {
    // The upstream's own ids and timings must not replace latchkey's.
    res.writeHead(200, { 'content-type': 'text/plain', 'x-request-id': 'upstream-id', 'server-timing': 'db;dur=1' })
    res.end('ok')
  })
  const closed = createServer()
  await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve))
  const deadPort = (closed.address() as AddressInfo).port
  await new Promise<void>((resolve) => closed.close(() => resolve()))

  const lk = await startGateway(t, `
server: { allow_private_upstreams: true }
callers:
  api_keys:
    svc: { key: "{{ get_secret('svc_key') }}" }
connectors:
  api:
    base_url: ${upstream.url}
    auth: { methods: { none: { type: none } } }
  dead:
    base_url: http://127.0.0.1:${deadPort}
    auth: { methods: { none: { type: none } } }
connections:
  open: { connector: api, access: { anonymous: true } }
  keyed: { connector: api, access: { callers: [svc] } }
  dead: { connector: dead, access: { anonymous: true } }
`, { secrets: { svc_key: 'ck-reqid-5e6f7a8b' } })

  const cases: Array<{ label: string, path: string, status: number, code?: string, headers?: Record<string, string> }> = [
    { label: '200 proxied', path: '/proxy/open/v1/x', status: 200 },
    { label: '404 connection_not_found', path: '/proxy/nope/v1/x', status: 404, code: 'connection_not_found' },
    { label: '404 no such route', path: '/nowhere', status: 404, code: 'not_found' },
    { label: '400 invalid_path', path: '/proxy/open/%2e%2e/admin', status: 400, code: 'invalid_path' },
    { label: '400 malformed escape', path: '/proxy/open/%zz', status: 400, code: 'invalid_path' },
    { label: '401 unauthenticated', path: '/proxy/keyed/v1/x', status: 401, code: 'unauthenticated', headers: { 'x-latchkey-key': 'wrong' } },
    { label: '403 forbidden', path: '/proxy/keyed/v1/x', status: 403, code: 'forbidden' },
    { label: '502 upstream_unreachable', path: '/proxy/dead/v1/x', status: 502, code: 'upstream_unreachable' },
  ]

  const check = (t: Test, res: RawResponse, label: string, status: number, code: string | undefined) => {
    t.equal(res.status, status, `${label}: status`)
    const timing = String(res.headers['server-timing'] ?? '')
    for (const metric of ['auth', 'upstream', 'total']) {
      t.match(timing, new RegExp(`(^|, )${metric};dur=\\d+(\\.\\d+)?(,|$)`), `${label}: Server-Timing has ${metric}`)
    }
    t.notMatch(timing, /db;dur/, `${label}: the upstream's Server-Timing is not passed through as is`)
    if (code !== undefined) {
      const body = JSON.parse(res.text) as { error: { code: string, request_id: string } }
      t.equal(body.error.code, code, `${label}: ${code}`)
      t.equal(body.error.request_id, res.headers['x-request-id'], `${label}: the body names the same request id`)
    }
  }

  t.test('a safe caller id is echoed', async (t) => {
    for (const c of cases) {
      const res = await rawRequest(lk.url, { path: c.path, headers: { ...c.headers, 'x-request-id': 'abc-123' } })
      check(t, res, c.label, c.status, c.code)
      t.equal(res.headers['x-request-id'], 'abc-123', `${c.label}: caller id echoed`)
    }
    t.equal(upstream.last().headers['x-request-id'], 'abc-123', 'the upstream sees the same id, for correlation')
  })

  t.test('an unsafe or missing caller id is replaced by a generated one', async (t) => {
    const unsafe: Array<string | undefined> = [undefined, 'has space', 'a'.repeat(200), '<script>', 'id;x=1', '"quoted"', '']
    const seen = new Set<string>()
    for (const c of cases) {
      for (const id of unsafe) {
        const headers = { ...c.headers, ...(id === undefined ? {} : { 'x-request-id': id }) }
        const res = await rawRequest(lk.url, { path: c.path, headers })
        const label = `${c.label} with ${id === undefined ? 'no id' : JSON.stringify(id.slice(0, 12))}`
        check(t, res, label, c.status, c.code)
        const generated = String(res.headers['x-request-id'])
        t.match(generated, UUID, `${label}: generated id`)
        t.notOk(seen.has(generated), `${label}: a fresh id`)
        seen.add(generated)
        if (c.status === 200) t.equal(upstream.last().headers['x-request-id'], generated, `${label}: the upstream gets the generated id, not the caller's`)
      }
    }
  })

  t.test('a preflight and the health check carry them too', async (t) => {
    const preflight = await rawRequest(lk.url, { method: 'OPTIONS', path: '/proxy/open/x', headers: { origin: 'https://a.example', 'access-control-request-method': 'GET', 'x-request-id': 'pre-1' } })
    t.equal(preflight.headers['x-request-id'], 'pre-1')
    t.match(String(preflight.headers['server-timing']), /total;dur=/)
    const health = await rawRequest(lk.url, { path: '/healthz' })
    t.equal(health.status, 200)
    t.match(String(health.headers['x-request-id']), UUID)
    t.match(String(health.headers['server-timing']), /auth;dur=.*upstream;dur=.*total;dur=/)
  })
})
