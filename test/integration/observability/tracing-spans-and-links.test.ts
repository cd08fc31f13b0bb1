/**
 * With `server.tracing.enabled`, each data-plane request is one server span with `auth`, `token`
 * and `upstream` children, exported over OTLP/HTTP: parent/child links, connection and
 * connector on every span, the token span's cache outcome and method, the upstream span's
 * method, host, path (no query), status and attempt number, and ERROR with latchkey's code.
 */
import t from 'tap'
import { startGateway } from '../../helpers/gateway.js'
import { otlpReceiver, SPAN_KIND, STATUS_ERROR, type ReceivedSpan } from '../../helpers/otlp-receiver.js'
import { tokenEndpoint } from '../../helpers/token-endpoint.js'
import { recordingUpstream } from '../../helpers/upstream.js'

t.test('spans, links and attributes of traced requests', async (t) => {
  const receiver = await otlpReceiver(t)
  const idp = await tokenEndpoint(t)
  // /flaky answers 503 once, then 200.
  let flaky = 0
  const upstream = await recordingUpstream(t, (req, res) => {
    if (req.url === '/api/flaky' && flaky++ === 0) {
      res.writeHead(503, { 'retry-after': '0' })
      res.end()
      return
    }
    res.writeHead(200, { 'content-type': 'application/json' })
    res.end('{"ok":true}')
  })
  const gw = await startGateway(t, `
server:
  allow_private_upstreams: true
  tracing: { enabled: true, endpoint: "${receiver.url}", service_name: latchkey-under-test }
connectors:
  crm:
    base_url: ${upstream.url}/api
    auth:
      default: cc
      methods:
        cc: { type: oauth_client_credentials, token_url: "${idp.url}", client_id: tracing-client, client_secret: "{{ get_secret('cs') }}" }
    retry: { max: 1, on: [503] }
connections:
  crm-main: { connector: crm, access: { anonymous: true, allow: ["GET /v1/**", "GET /flaky"] } }
`, { secrets: { cs: 'cs-tracing-7a6b5c' } })

  for (const path of ['/proxy/crm-main/v1/items?page=2', '/proxy/crm-main/v1/items', '/proxy/crm-main/flaky', '/proxy/crm-main/v2/refused']) {
    const res = await gw.fetch(path)
    await res.arrayBuffer()
  }
  await gw.close()

  const spans = receiver.spans()
  const servers = spans.filter((s) => s.kind === SPAN_KIND.server)
  t.equal(servers.length, 4, 'one server span per request')
  t.equal(receiver.requests[0]!.path, '/v1/traces')
  t.equal(servers[0]!.resource['service.name'], 'latchkey-under-test')
  const childrenOf = (server: ReceivedSpan) => spans.filter((s) => s.parentSpanId === server.spanId)
  for (const span of spans) {
    t.equal(span.attributes['latchkey.connection.id'], 'crm-main', `${span.name}: connection id`)
    t.equal(span.attributes['latchkey.connector'], 'crm', `${span.name}: connector slug`)
    t.same(span.events, [], `${span.name}: no events (no exception messages)`)
  }
  const [first, second, retried, refused] = servers.sort((a, b) => Number(BigInt(a.startTimeUnixNano) - BigInt(b.startTimeUnixNano))) as [ReceivedSpan, ReceivedSpan, ReceivedSpan, ReceivedSpan]

  await t.test('a cold request: auth, token (miss, fetched), upstream; all in one trace', async (t) => {
    t.equal(first.name, 'proxy')
    t.equal(first.parentSpanId, '', 'a root span: the caller sent no traceparent')
    t.equal(first.attributes['http.request.method'], 'GET')
    t.equal(first.attributes['http.response.status_code'], 200)
    t.not(first.status.code, STATUS_ERROR)
    const children = childrenOf(first)
    t.same(children.map((s) => s.name).sort(), ['auth', 'token', 'upstream'])
    for (const child of children) t.equal(child.traceId, first.traceId, `${child.name}: same trace`)
    const auth = children.find((s) => s.name === 'auth')!
    t.equal(auth.attributes['latchkey.caller.kind'], 'anonymous')
    const token = children.find((s) => s.name === 'token')!
    t.match(token.attributes, { 'latchkey.auth.type': 'oauth_client_credentials', 'latchkey.auth.method': 'cc', 'latchkey.token.cache': 'miss', 'latchkey.token.fetch': 'ok' })
    const up = children.find((s) => s.name === 'upstream')!
    t.equal(up.kind, SPAN_KIND.client)
    t.match(up.attributes, {
      'http.request.method': 'GET',
      'server.address': '127.0.0.1',
      'server.port': upstream.port,
      'url.path': '/api/v1/items',
      'http.response.status_code': 200,
      'latchkey.upstream.attempt': 1,
    })
    t.notOk('latchkey.upstream.resend' in up.attributes)
    t.equal(upstream.received[0]!.url, '/api/v1/items?page=2', 'the query went upstream, not into the span')
  })

  await t.test('a warm request: the token span says cache hit (local)', async (t) => {
    const token = childrenOf(second).find((s) => s.name === 'token')!
    t.match(token.attributes, { 'latchkey.token.cache': 'hit', 'latchkey.token.tier': 'local' })
    t.notOk('latchkey.token.fetch' in token.attributes)
    t.not(second.traceId, first.traceId, 'each request its own trace')
    t.equal(idp.requests.length, 1)
  })

  await t.test('a retried request: one upstream span per attempt, numbered', async (t) => {
    const attempts = childrenOf(retried).filter((s) => s.name === 'upstream')
      .sort((a, b) => Number(a.attributes['latchkey.upstream.attempt']) - Number(b.attributes['latchkey.upstream.attempt']))
    t.equal(attempts.length, 2)
    t.match(attempts[0]!.attributes, { 'latchkey.upstream.attempt': 1, 'http.response.status_code': 503, 'error.type': '503' })
    t.equal(attempts[0]!.status.code, STATUS_ERROR)
    t.match(attempts[1]!.attributes, { 'latchkey.upstream.attempt': 2, 'latchkey.upstream.resend': 'retry', 'http.response.status_code': 200 })
    t.equal(retried.attributes['http.response.status_code'], 200, 'the server span has the status the caller got')
  })

  await t.test('a refused request: the auth span ERROR with the code only; the server span typed, not an error (a 4xx)', async (t) => {
    const children = childrenOf(refused)
    t.same(children.map((s) => s.name), ['auth'], 'nothing after the refusal')
    const auth = children[0]!
    t.equal(auth.status.code, STATUS_ERROR)
    t.equal(auth.status.message, 'route_not_allowed')
    t.equal(auth.attributes['error.type'], 'route_not_allowed')
    t.not(refused.status.code, STATUS_ERROR, 'semantic conventions: a server span with a 4xx is not an error')
    t.equal(refused.attributes['error.type'], 'route_not_allowed')
    t.equal(refused.attributes['http.response.status_code'], 403)
  })
})
