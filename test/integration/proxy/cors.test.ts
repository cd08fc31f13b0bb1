/**
 * SPEC 6.2 CORS end to end: preflights are answered by latchkey (204 for a configured origin,
 * refused without allow headers otherwise) and never forwarded; actual responses carry
 * Access-Control-Allow-Origin for configured origins only, whatever CORS headers the upstream
 * sends.
 */
import t from 'tap'
import { startGateway } from '../../helpers/gateway.js'
import { recordingUpstream } from '../../helpers/upstream.js'

const APP = 'https://app.example.com'
const EVIL = 'https://evil.example.com'

const connectorYaml = (upstream: string) => `
connectors:
  api:
    base_url: ${upstream}
    auth: { methods: { none: { type: none } } }
connections:
  open: { connector: api, access: { anonymous: true } }
`

const allowHeaders = (res: Response) => [...res.headers.keys()].filter((name) => name.startsWith('access-control-'))

t.test('CORS for configured origins only', async (t) => {
  // The upstream is permissive on purpose: its CORS headers must not widen latchkey's policy.
  const upstream = await recordingUpstream(t, (_req, res) => {
    res.writeHead(200, {
      'content-type': 'application/json',
      'access-control-allow-origin': '*',
      'access-control-allow-credentials': 'true',
      'access-control-expose-headers': 'x-upstream-secret',
      vary: 'Accept-Encoding',
    })
    res.end('{"ok":true}')
  })
  const lk = await startGateway(t, `
server: { allow_private_upstreams: true }
callers:
  cors:
    origins: [${APP}]
    max_age: 120s
${connectorYaml(upstream.url)}`)

  t.test('a preflight from a configured origin is answered 204 and never forwarded', async (t) => {
    const res = await lk.fetch('/proxy/open/v1/items', {
      method: 'OPTIONS',
      headers: { origin: APP, 'access-control-request-method': 'POST', 'access-control-request-headers': 'Content-Type, X-Custom' },
    })
    t.equal(res.status, 204)
    t.equal(await res.text(), '')
    t.equal(res.headers.get('access-control-allow-origin'), APP)
    t.match(res.headers.get('access-control-allow-methods'), /\bPOST\b/)
    t.equal(res.headers.get('access-control-allow-headers'), 'content-type, x-custom')
    t.equal(res.headers.get('access-control-max-age'), '120')
    t.match(res.headers.get('vary'), /Origin/)
    t.notOk(res.headers.get('access-control-allow-credentials'), 'no credentials mode: callers authenticate with headers')
    t.ok(res.headers.get('x-request-id'))
    t.equal(upstream.received.length, 0, 'the preflight was not forwarded')
  })

  t.test('a preflight for an unknown connection is answered the same way', async (t) => {
    const res = await lk.fetch('/proxy/no-such/x', { method: 'OPTIONS', headers: { origin: APP, 'access-control-request-method': 'GET' } })
    t.equal(res.status, 204)
    t.equal(upstream.received.length, 0)
  })

  t.test('a preflight from another origin gets no allow headers and is never forwarded', async (t) => {
    for (const origin of [EVIL, 'null', `${APP}.evil.com`, 'http://app.example.com']) {
      const res = await lk.fetch('/proxy/open/v1/items', {
        method: 'OPTIONS',
        headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' },
      })
      t.equal(res.status, 403, `${origin}: 403`)
      t.same(allowHeaders(res), [], `${origin}: no access-control-* headers`)
      t.equal((await res.json() as { error: { code: string } }).error.code, 'forbidden', `${origin}: JSON error`)
    }
    const res = await lk.fetch('/proxy/open/v1/items', { method: 'OPTIONS', headers: { origin: APP, 'access-control-request-method': 'BAD METHOD' } })
    t.equal(res.status, 403, 'a malformed preflight is refused')
    t.equal(upstream.received.length, 0, 'no preflight was forwarded')
  })

  t.test('actual responses carry Access-Control-Allow-Origin for the configured origin only', async (t) => {
    let res = await lk.fetch('/proxy/open/v1/items', { headers: { origin: APP } })
    t.equal(res.status, 200)
    t.equal(await res.text(), '{"ok":true}')
    t.equal(res.headers.get('access-control-allow-origin'), APP, 'latchkey\'s value, not the upstream\'s *')
    t.notOk(res.headers.get('access-control-allow-credentials'), 'the upstream cannot turn on credentials')
    t.match(res.headers.get('access-control-expose-headers'), /X-Request-Id/)
    t.notMatch(res.headers.get('access-control-expose-headers'), /x-upstream-secret/)
    t.match(res.headers.get('vary'), /Origin/, 'the upstream\'s Vary does not replace Vary: Origin')
    t.match(res.headers.get('vary'), /Accept-Encoding/, 'the upstream\'s Vary is kept')
    t.notOk(upstream.last().headers.origin, 'the browser Origin is not forwarded')

    res = await lk.fetch('/proxy/open/v1/items', { headers: { origin: EVIL } })
    t.equal(res.status, 200, 'the request itself is not a CORS matter: access decides')
    await res.text()
    t.same(allowHeaders(res), [], 'no access-control-* headers for another origin, not even the upstream\'s')

    res = await lk.fetch('/proxy/open/v1/items')
    await res.text()
    t.same(allowHeaders(res), [], 'no access-control-* headers without Origin')
  })

  t.test('latchkey\'s own errors to a configured origin are readable by the browser', async (t) => {
    const before = upstream.received.length
    const res = await lk.fetch('/proxy/open/v1/items', { headers: { origin: APP, 'x-latchkey-key': 'wrong' } })
    t.equal(res.status, 401)
    t.equal(res.headers.get('access-control-allow-origin'), APP)
    t.equal((await res.json() as { error: { code: string } }).error.code, 'unauthenticated')
    t.equal(upstream.received.length, before)
  })
})

t.test('without callers.cors a preflight is refused, never forwarded', async (t) => {
  const upstream = await recordingUpstream(t, (_req, res) => {
    res.writeHead(204, { 'access-control-allow-origin': '*', 'access-control-allow-methods': '*' })
    res.end()
  })
  const lk = await startGateway(t, `
server: { allow_private_upstreams: true }
${connectorYaml(upstream.url)}`)
  const res = await lk.fetch('/proxy/open/v1/items', { method: 'OPTIONS', headers: { origin: APP, 'access-control-request-method': 'GET' } })
  t.equal(res.status, 403)
  t.same(allowHeaders(res), [])
  t.equal(upstream.received.length, 0, 'the preflight was not forwarded')

  const plain = await lk.fetch('/proxy/open/v1/items', { method: 'OPTIONS' })
  t.equal(plain.status, 204, 'a plain OPTIONS (no Origin) is an ordinary request and is forwarded')
  t.same(allowHeaders(plain), [], 'the upstream\'s CORS headers are not passed back')
  t.equal(upstream.received.length, 1)
})
