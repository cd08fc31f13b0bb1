/**
 * SPEC 4/6.5: drive every token-based flow, its failures included, with logging at trace level,
 * then scan every log line and every response (body and headers) the callers got for client
 * secrets, private keys (PEM lines, JWK `d`), HMAC secrets, assertions and access tokens.
 */
import t from 'tap'
import { assertNoSecrets, startGateway } from '../helpers/gateway.js'
import { testRedis } from '../helpers/redis.js'
import { keyFor, tokenEndpoint } from '../helpers/token-endpoint.js'
import { recordingUpstream } from '../helpers/upstream.js'

const SECRETS = {
  caller_key: 'ck-logscan-7a6b5c4d3e',
  cc_secret: 'cs-logscan-body-11aa22bb',
  cc_basic_secret: 'cs-logscan-basic-33cc44dd',
  bad_key: 'not-a-key-logscan-55ee66ff',
  hmac: 'hmac-logscan-77aa88bb99cc',
}

t.test('no token, assertion, key or secret in logs or responses', async (t) => {
  const redis = await testRedis(t)
  const rsa = keyFor('RS256')
  const ec = keyFor('ES256')
  const secrets = { ...SECRETS, rsa_pem: rsa.pkcs8!, ec_jwk: ec.jwk! }
  const idp = await tokenEndpoint(t)
  const assertions: string[] = []
  idp.answer = (req, fresh) => {
    const assertion = req.form.get('assertion')
    if (assertion !== null) assertions.push(assertion)
    const id = req.form.get('client_id') ?? (assertion === null ? 'basic' : 'bearer')
    switch (id) {
      case 'echo-secret': return { status: 401, body: { error: 'invalid_client', error_description: `secret ${req.form.get('client_secret') ?? ''} is wrong` } }
      case 'echo-body': return { status: 400, body: `bad request: ${req.body}`, contentType: 'text/plain' }
      case 'token-in-error': return { status: 200, body: { error: fresh(), access_token: 42 } }
      case 'token-as-error': return { status: 400, body: { error: fresh() } }
      default:
        if (assertion !== null && req.form.get('scope') === 'fail') {
          return { status: 400, body: { error: 'invalid_grant', error_description: `assertion ${assertion} is not valid yet` } }
        }
        return { body: { access_token: fresh(), expires_in: 3600, refresh_token: fresh() } }
    }
  }
  const revoked = new Set<string>()
  const signed: string[] = []
  const upstream = await recordingUpstream(t, (req, res) => {
    const auth = req.headers.authorization ?? ''
    signed.push(auth.replace(/^Bearer /, ''))
    if (revoked.has(auth.replace(/^Bearer /, ''))) {
      res.writeHead(401, { 'content-type': 'application/json' })
      res.end('{"error":"invalid_token"}')
      return
    }
    res.writeHead(200, { 'content-type': 'application/json' })
    res.end('{"ok":true}')
  })
  const cc = (name: string, id: string, extra = '') => `
        ${name}: { type: oauth_client_credentials, token_url: "${idp.url}", client_id: ${id}, client_secret: "{{ get_secret('cc_secret') }}"${extra} }`
  const lk = await startGateway(t, `
server: { allow_private_upstreams: true, log_level: trace, token_timeout: 2s }
cache: { type: redis, url: "${redis.url}", key_prefix: "${redis.prefix}" }
callers:
  api_keys:
    svc: { key: "{{ get_secret('caller_key') }}" }
connectors:
  api:
    base_url: ${upstream.url}
    auth:
      default: cc
      methods:${cc('cc', 'good')}${cc('echo-secret', 'echo-secret')}${cc('echo-body', 'echo-body')}${cc('token-in-error', 'token-in-error')}${cc('token-as-error', 'token-as-error')}
        basic: { type: oauth_client_credentials, token_url: "${idp.url}", client_id: basic, client_secret: "{{ get_secret('cc_basic_secret') }}", client_auth: basic }
        jwt-rsa: { type: jwt, private_key: "{{ get_secret('rsa_pem') }}", claims: { sub: "{{ caller.id }}", exp: "{{ now(60) }}" } }
        jwt-hmac: { type: jwt, algorithm: HS512, private_key: "{{ get_secret('hmac') }}", claims: { sub: "{{ caller.id }}" } }
        jwt-bad-key: { type: jwt, private_key: "{{ get_secret('bad_key') }}", claims: { sub: x } }
        bearer-ok:
          type: oauth_jwt_bearer
          token_url: ${idp.url}
          client_id: bearer
          subject: someone@example.com
          audience: ${idp.url}
          algorithm: ES256
          private_key: "{{ get_secret('ec_jwk') }}"
        bearer-fail:
          type: oauth_jwt_bearer
          token_url: ${idp.url}
          client_id: bearer
          subject: someone@example.com
          audience: ${idp.url}
          private_key: "{{ get_secret('rsa_pem') }}"
          scope: fail
connections:${['cc', 'echo-secret', 'echo-body', 'token-in-error', 'token-as-error', 'basic', 'jwt-rsa', 'jwt-hmac', 'jwt-bad-key', 'bearer-ok', 'bearer-fail'].map((m) => `
  ${m}: { connector: api, auth: ${m}, access: { callers: [svc] } }`).join('')}
`, { secrets })

  const seen: string[] = []
  const statuses: Record<string, number[]> = {}
  const call = async (conn: string, init: RequestInit = {}) => {
    const res = await lk.fetch(`/proxy/${conn}/v1/x?q=1`, { ...init, headers: { 'x-latchkey-key': SECRETS.caller_key, ...init.headers } })
    seen.push(await res.text(), JSON.stringify([...res.headers]))
    ;(statuses[conn] ??= []).push(res.status)
  }
  for (const conn of ['cc', 'basic', 'jwt-rsa', 'jwt-hmac', 'bearer-ok']) {
    await call(conn)
    await call(conn, { method: 'POST', body: '{"n":1}', headers: { 'content-type': 'application/json' } })
  }
  // 401 and replay with a fresh token, for both token-based grants.
  revoked.add(idp.issued[0]!)
  for (const tok of [...idp.issued]) revoked.add(tok)
  await call('cc')
  await call('bearer-ok')
  for (const conn of ['echo-secret', 'echo-body', 'token-in-error', 'token-as-error', 'jwt-bad-key', 'bearer-fail']) await call(conn)

  t.same(statuses, {
    cc: [200, 200, 200],
    basic: [200, 200],
    'jwt-rsa': [200, 200],
    'jwt-hmac': [200, 200],
    'bearer-ok': [200, 200, 200],
    'echo-secret': [502],
    'echo-body': [502],
    'token-in-error': [502],
    'token-as-error': [502],
    'jwt-bad-key': [500],
    'bearer-fail': [502],
  }, 'every flow ran as intended')
  t.ok(assertions.length >= 3, 'assertions were sent')
  t.ok(lk.logs.length > 20, `logs were captured (${lk.logs.length} lines)`)

  const pemLines = (pem: string) => pem.split('\n').filter((l) => l.length > 40)
  const forbidden = [
    ...Object.values(SECRETS),
    ...pemLines(rsa.pkcs8!),
    (JSON.parse(ec.jwk!) as { d: string }).d,
    ...assertions,
    ...assertions.map((a) => a.split('.')[2]!),
    ...idp.issued,
    ...signed.filter((s) => s.split('.').length === 3).map((s) => s.split('.')[2]!),
  ]
  assertNoSecrets(t, [...lk.logs, ...seen], forbidden)
  t.comment(`${forbidden.length} values scanned in ${lk.logs.length} log lines and ${seen.length / 2} responses`)
})
