/**
 * SPEC 4/6.5: secret values, tokens and rendered credentials never appear in a log line or in
 * anything latchkey answers. A mix of traffic (successes, template errors, missing secrets,
 * upstream and token-endpoint failures, bad callers) runs at log level trace with distinctive
 * values; then every captured log line and every response (status line, headers, body) the
 * caller got is scanned for each value and each rendered form of it.
 */
import { createHash, createHmac } from 'node:crypto'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import t from 'tap'
import { SignJWT } from 'jose'
import { assertNoSecrets, startGateway } from '../helpers/gateway.js'
import { errorCode, rawRequest } from '../helpers/raw-http.js'
import { recordingUpstream } from '../helpers/upstream.js'

const SECRETS = {
  caller_key: 'ck-LEAKCHECK-caller-7Q2w',
  session_hs256: 'sess-LEAKCHECK-hs256-0123456789abcdef0123',
  basic_password: 'pw-LEAKCHECK-basic-9Zxq',
  bearer_token: 'tok-LEAKCHECK-bearer-44ab',
  header_key: 'hk-LEAKCHECK-header-55cd',
  query_key: 'qk-LEAKCHECK-query-66ef',
  hmac_key: 'hmac-LEAKCHECK-77gh',
  client_secret: 'cs-LEAKCHECK-client-88ij',
  client_secret_rejected: 'cs-LEAKCHECK-rejected-11kl',
  cred_value: 'cv-LEAKCHECK-credential-22mn',
  not_json: 'nj-LEAKCHECK-{not json',
  not_base64: 'b64-LEAKCHECK-!!!',
  multi_line: 'ml-LEAKCHECK-line1\r\nX-Injected: 1',
  control_char: 'cc-LEAKCHECK-\u0001-tail',
  non_latin1: 'nl-LEAKCHECK-\u20ac-tail',
  bad_pem: '-----BEGIN PRIVATE KEY-----\npem-LEAKCHECK-not-a-key\n-----END PRIVATE KEY-----',
}
const ACCESS_TOKEN = 'at-LEAKCHECK-issued-99op'
const WRONG_CALLER_KEY = 'ck-LEAKCHECK-caller-7Q2x'

t.test('no secret in logs or in anything the caller receives', async (t) => {
  let tokenRequests = 0
  const upstream = await recordingUpstream(t, async (req, res, received) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname
    switch (path) {
      case '/token': {
        tokenRequests++
        const form = new URLSearchParams(received.body.toString('utf8'))
        if (form.get('client_secret') === SECRETS.client_secret) {
          res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ access_token: ACCESS_TOKEN, expires_in: 3600 }))
        } else {
          // Providers echo what they got; none of it may travel on.
          res.writeHead(401, { 'content-type': 'application/json', 'www-authenticate': `Basic realm="${form.get('client_secret')}"` })
          res.end(JSON.stringify({ error: 'invalid_client', error_description: `bad secret ${form.get('client_secret')}` }))
        }
        return
      }
      case '/slow':
        await new Promise((resolve) => setTimeout(resolve, 800))
        if (!res.destroyed) res.writeHead(200).end('late')
        return
      case '/reset':
        req.socket.destroy()
        return
      case '/unauthorized':
        res.writeHead(401, { 'content-type': 'application/json' }).end('{"error":"token expired"}')
        return
      case '/fail':
        res.writeHead(500, { 'content-type': 'text/plain' }).end('upstream broke')
        return
      default:
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}')
    }
  })
  const closed = createServer()
  await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve))
  const deadPort = (closed.address() as AddressInfo).port
  await new Promise<void>((resolve) => closed.close(() => resolve()))

  const method = (body: string) => `{ methods: { m: ${body} } }`
  const connector = (name: string, auth: string, base = upstream.url, extra = '') =>
    `  ${name}:\n    base_url: ${base}\n    auth: ${method(auth)}\n${extra}`
  const lk = await startGateway(t, `
server: { allow_private_upstreams: true, upstream_timeout: 300ms, log_level: trace }
callers:
  api_keys:
    svc: { key: "{{ get_secret('caller_key') }}" }
  jwt:
    secret: "{{ get_secret('session_hs256') }}"
    audience: latchkey
connectors:
${connector('basic', `{ type: basic, username: user, password: "{{ get_secret('basic_password') }}" }`)}
${connector('bearer', `{ type: bearer, token: "{{ get_secret('bearer_token') }}" }`)}
${connector('header', `{ type: api_key, key: X-Api-Key, value: "{{ get_secret('header_key') }}" }`)}
${connector('query', `{ type: api_key, key: key, value: "{{ get_secret('query_key') }}", in: query }`)}
${connector('custom', `{ type: custom, headers: { X-Sig: "{{ request.path | hmac_sha256(get_secret('hmac_key')) }}", X-Cred: "{{ connection.credentials.value }}" } }`)}
${connector('cc', `{ type: oauth_client_credentials, client_id: app, client_secret: "{{ get_secret('client_secret') }}", token_url: "${upstream.url}/token" }`)}
${connector('cc-rejected', `{ type: oauth_client_credentials, client_id: app, client_secret: "{{ get_secret('client_secret_rejected') }}", token_url: "${upstream.url}/token", client_auth: basic }`)}
${connector('dead', `{ type: basic, username: user, password: "{{ get_secret('basic_password') }}" }`, `http://127.0.0.1:${deadPort}`)}
${connector('from-json', `{ type: bearer, token: "{{ (get_secret('not_json') | from_json).token }}" }`)}
${connector('b64', `{ type: bearer, token: "{{ get_secret('not_base64') | base64_decode }}" }`)}
${connector('crlf', `{ type: api_key, key: X-Key, value: "{{ get_secret('multi_line') }}" }`)}
${connector('ctl', `{ type: api_key, key: X-Key, value: "{{ get_secret('control_char') }}" }`)}
${connector('latin1', `{ type: api_key, key: X-Key, value: "{{ get_secret('non_latin1') }}" }`)}
${connector('pem', `{ type: jwt, private_key: "{{ get_secret('bad_pem') }}", claims: { iss: app } }`)}
${connector('undef', `{ type: bearer, token: "{{ get_secret('bearer_token') }}{{ connection.credentials.nope }}" }`)}
${connector('missing', `{ type: bearer, token: "{{ get_secret('never_stored_anywhere') }}" }`)}
connections:
${['basic', 'bearer', 'header', 'query', 'cc', 'cc-rejected', 'dead', 'from-json', 'b64', 'crlf', 'ctl', 'latin1', 'pem', 'undef', 'missing']
    .map((c) => `  ${c}: { connector: ${c}, access: { callers: [svc], users: true } }`).join('\n')}
  custom: { connector: custom, credentials: { value: "{{ get_secret('cred_value') }}" }, access: { callers: [svc], users: true } }
`, { secrets: SECRETS })

  const session = new TextEncoder().encode(SECRETS.session_hs256)
  const userJwt = await new SignJWT({ sub: 'u-1', email: 'u1@example.com' }).setProtectedHeader({ alg: 'HS256' }).setAudience('latchkey').setExpirationTime('5m').sign(session)
  const expiredJwt = await new SignJWT({ sub: 'u-1' }).setProtectedHeader({ alg: 'HS256' }).setAudience('latchkey').setExpirationTime(Math.floor(Date.now() / 1000) - 60).sign(session)
  const forgedJwt = await new SignJWT({ sub: 'u-1' }).setProtectedHeader({ alg: 'HS256' }).setAudience('latchkey').setExpirationTime('5m').sign(new TextEncoder().encode('not-the-session-secret-0123456789abcdef'))

  const responses: string[] = []
  const statuses: Record<string, number> = {}
  const codes: Record<string, string | undefined> = {}
  const send = async (label: string, path: string, headers: Record<string, string>) => {
    const res = await rawRequest(lk.url, { path, headers: { 'x-request-id': label, ...headers } })
    responses.push(`${res.status}\n${JSON.stringify(res.headers)}\n${res.text}`)
    statuses[label] = res.status
    codes[label] = errorCode(res.text)
    return res
  }
  const key = { 'x-latchkey-key': SECRETS.caller_key }
  const user = { authorization: `Bearer ${userJwt}` }

  // Successes, by api-key caller and by user.
  for (const conn of ['basic', 'bearer', 'header', 'query', 'custom', 'cc']) {
    await send(`ok-${conn}`, `/proxy/${conn}/v1/items?x=1`, key)
    await send(`ok-user-${conn}`, `/proxy/${conn}/v1/items`, user)
  }
  // Template errors, missing secrets, token endpoint failure.
  for (const conn of ['from-json', 'b64', 'crlf', 'ctl', 'latin1', 'pem', 'undef', 'missing', 'cc-rejected']) {
    await send(`fail-${conn}`, `/proxy/${conn}/v1/items`, key)
  }
  // Upstream failures with credentials already applied.
  await send('timeout', '/proxy/bearer/slow', key)
  await send('reset', '/proxy/basic/reset', key)
  await send('refused', '/proxy/dead/x', key)
  await send('upstream-401-token', '/proxy/cc/unauthorized', key)
  await send('upstream-500', '/proxy/header/fail', key)
  // Bad callers, including credentials in the query string the access log must not copy.
  await send('wrong-key', '/proxy/bearer/x', { 'x-latchkey-key': WRONG_CALLER_KEY })
  await send('expired-jwt', '/proxy/bearer/x', { authorization: `Bearer ${expiredJwt}` })
  await send('forged-jwt', '/proxy/bearer/x', { authorization: `Bearer ${forgedJwt}` })
  await send('basic-caller', '/proxy/bearer/x', { authorization: `Basic ${Buffer.from(`svc:${SECRETS.caller_key}`).toString('base64')}` })
  await send('both', '/proxy/bearer/x', { ...key, ...user })
  await send('key-in-query', `/proxy/bearer/x?api_key=${SECRETS.caller_key}&token=${userJwt}`, key)
  await send('invalid-path', `/proxy/bearer/%2e%2e/x?key=${SECRETS.caller_key}`, key)

  t.test('the traffic did what it was meant to', async (t) => {
    for (const conn of ['basic', 'bearer', 'header', 'query', 'custom', 'cc']) t.equal(statuses[`ok-${conn}`], 200, `ok-${conn}`)
    t.equal(statuses['fail-missing'], 500)
    t.equal(statuses['fail-cc-rejected'], 502)
    t.equal(statuses.timeout, 504)
    t.equal(statuses.refused, 502)
    t.equal(statuses['upstream-500'], 500)
    t.equal(statuses['wrong-key'], 401)
    t.equal(statuses['forged-jwt'], 401)
    t.equal(statuses['invalid-path'], 400)
    // A value undici cannot send as a header (control or non-Latin-1 character) is a template
    // error too, not a 502 upstream_unreachable: nothing was sent.
    for (const label of ['fail-from-json', 'fail-b64', 'fail-crlf', 'fail-ctl', 'fail-latin1', 'fail-pem', 'fail-undef']) {
      t.equal(statuses[label], 500, `${label}: 500`)
      t.equal(codes[label], 'template_error', `${label}: template_error`)
    }
    t.equal(codes['fail-missing'], 'secret_not_found')
    t.equal(codes['fail-cc-rejected'], 'token_exchange_failed')
    t.ok(tokenRequests >= 2, 'the token endpoint was used')
    const rejected = upstream.received.find((r) => r.url === '/token' && r.headers.authorization?.startsWith('Basic '))
    t.ok(rejected, 'the rejected client secret went to the token endpoint, and only there')
  })

  t.test('no secret value or rendered credential appears', async (t) => {
    t.ok(lk.logs.length > 20, `${lk.logs.length} log lines captured`)
    const values = [
      ...Object.values(SECRETS),
      // distinctive pieces, in case a value is cut or re-encoded
      ...Object.values(SECRETS).map((v) => v.match(/[a-z0-9]+-LEAKCHECK-[A-Za-z0-9-]+/)?.[0] ?? v),
      ACCESS_TOKEN,
      WRONG_CALLER_KEY,
      userJwt, expiredJwt, forgedJwt,
      userJwt.split('.')[2]!,
      Buffer.from(`user:${SECRETS.basic_password}`).toString('base64'),
      Buffer.from(`app:${SECRETS.client_secret_rejected}`).toString('base64'),
      Buffer.from(`svc:${SECRETS.caller_key}`).toString('base64'),
      createHash('sha256').update(SECRETS.caller_key).digest('hex'),
      createHmac('sha256', SECRETS.hmac_key).update('/v1/items').digest('hex'),
      encodeURIComponent(SECRETS.client_secret),
    ]
    assertNoSecrets(t, lk.logs, values)
    assertNoSecrets(t, responses, values)
    // The warn lines for failures name the code, not the value.
    t.ok(lk.logs.some((l) => l.includes('"code":"template_error"')), 'template errors are logged by code')
  })
})
