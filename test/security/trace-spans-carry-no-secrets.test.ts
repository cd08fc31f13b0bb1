/**
 * Traced requests export no secret: every byte the OTLP receiver got is scanned for the caller
 * key, the user's JWT, its signing secret and user id, the upstream api key (sent in the
 * query), the client secret and every issued access token, the caller's query values and
 * header values, and the collector's own API key (which goes in the export's headers only).
 * Success, refusal, token failure and upstream failure paths are all traced.
 */
import t from 'tap'
import { SignJWT } from 'jose'
import { startGateway } from '../helpers/gateway.js'
import { otlpReceiver } from '../helpers/otlp-receiver.js'
import { tokenEndpoint } from '../helpers/token-endpoint.js'
import { recordingUpstream } from '../helpers/upstream.js'

const SECRETS = {
  caller_key: 'ck-trace-caller-5d4c3b2a',
  jwt_secret: 'jwt-trace-signing-secret-8f7e6d5c4b3a2918',
  upstream_key: 'uk-trace-upstream-1a2b3c4d',
  client_secret: 'cs-trace-client-9e8d7c6b',
  otlp_key: 'otlp-trace-collector-0f1e2d3c',
}
const USER_ID = 'user-trace-4f5e6d7c'
const QUERY_VALUE = 'qv-trace-caller-3c2b1a09'
const HEADER_VALUE = 'hv-trace-caller-7b6a5948'
const REQUEST_ID = 'rid-trace-6a5b4c3d'

t.test('exported spans carry no secret, key, token, user id, query or header value', async (t) => {
  const receiver = await otlpReceiver(t)
  const idp = await tokenEndpoint(t)
  let tokenDown = false
  idp.answer = (_request, fresh) => tokenDown
    ? { status: 500, body: { error: 'server_error', echoed: SECRETS.client_secret } }
    : { body: { access_token: fresh(), token_type: 'Bearer', expires_in: 3600 } }
  const upstream = await recordingUpstream(t, (req, res) => {
    if (req.url?.startsWith('/down') === true) { req.socket.destroy(); return }
    // An upstream 401 on the token method: the token is purged and the request replayed once.
    const status = req.url?.startsWith('/unauthorized') === true ? 401 : 200
    res.writeHead(status, { 'content-type': 'application/json', 'set-cookie': `session=${SECRETS.upstream_key}` })
    res.end(JSON.stringify({ echoed: req.headers }))
  })
  const gw = await startGateway(t, `
server:
  allow_private_upstreams: true
  tracing:
    enabled: true
    endpoint: "${receiver.url}"
    headers: { X-Collector-Key: "{{ get_secret('otlp_key') }}" }
callers:
  api_keys:
    app: { key: "{{ get_secret('caller_key') }}" }
  jwt:
    secret: "{{ get_secret('jwt_secret') }}"
    algorithms: [HS256]
connectors:
  keyed:
    base_url: ${upstream.url}
    auth: { methods: { key: { type: api_key, key: api_key, value: "{{ get_secret('upstream_key') }}", in: query } } }
  tokened:
    base_url: ${upstream.url}
    headers: { X-User: "{{ user.sub }}" }
    auth:
      methods:
        cc: { type: oauth_client_credentials, token_url: "${idp.url}", client_id: trace-client, client_secret: "{{ get_secret('client_secret') }}" }
connections:
  keyed: { connector: keyed, access: { callers: [app] } }
  tokened: { connector: tokened, access: { users: true } }
`, { secrets: SECRETS })

  const jwt = await new SignJWT({ sub: USER_ID }).setProtectedHeader({ alg: 'HS256' }).setExpirationTime('5m')
    .sign(new TextEncoder().encode(SECRETS.jwt_secret))
  const asApp = { 'x-latchkey-key': SECRETS.caller_key, 'x-custom': HEADER_VALUE, 'x-request-id': REQUEST_ID }
  const asUser = { authorization: `Bearer ${jwt}`, 'x-custom': HEADER_VALUE, 'x-request-id': REQUEST_ID }
  const calls: Array<[string, Record<string, string>, number]> = [
    [`/proxy/keyed/items?q=${QUERY_VALUE}`, asApp, 200],
    [`/proxy/keyed/items?api_key=${QUERY_VALUE}`, asApp, 200],
    ['/proxy/keyed/items', { ...asApp, 'x-latchkey-key': `${SECRETS.caller_key}-wrong` }, 401],
    ['/proxy/keyed/items', asUser, 403],
    [`/proxy/tokened/items?q=${QUERY_VALUE}`, asUser, 200],
    ['/proxy/tokened/unauthorized', asUser, 401],
    ['/proxy/tokened/down', asUser, 502],
  ]
  for (const [path, headers, status] of calls) {
    const res = await gw.fetch(path, { headers })
    await res.arrayBuffer()
    t.equal(res.status, status, path)
  }
  // A token endpoint failure after the cached token is purged by the 401 replay above.
  tokenDown = true
  const revoked = await gw.fetch('/proxy/tokened/unauthorized', { headers: asUser })
  await revoked.arrayBuffer()
  t.equal(revoked.status, 502, 'token_exchange_failed')
  await gw.close()

  const spans = receiver.spans()
  t.ok(spans.length >= 20, `${spans.length} spans exported`)
  t.ok(spans.some((s) => s.status.message === 'token_exchange_failed'), 'the token failure is traced')
  t.ok(spans.some((s) => s.status.message === 'upstream_unreachable'), 'the upstream failure is traced')
  t.ok(receiver.requests.every((r) => r.headers['x-collector-key'] === SECRETS.otlp_key), 'the collector key went in the headers')
  t.ok(idp.issued.length >= 2, 'tokens were issued')

  const exported = receiver.requests.map((r) => r.body.toString('utf8')).join('\n')
  const forbidden = [
    ...Object.values(SECRETS), jwt, jwt.split('.')[2]!, USER_ID, QUERY_VALUE, HEADER_VALUE, REQUEST_ID, ...idp.issued,
  ]
  for (const value of forbidden) {
    t.notOk(exported.includes(value) || exported.includes(encodeURIComponent(value)), `not exported: ${value.slice(0, 6)}…`)
  }
  t.notMatch(exported, /api_key=|[?&]q=/, 'no query string anywhere')
})
