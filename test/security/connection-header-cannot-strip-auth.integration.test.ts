/**
 * SPEC 6.3 end to end: the caller's `Connection` header is processed before latchkey injects
 * auth and connector headers, so `Connection: authorization, x-api-key` cannot strip them; the
 * caller's own credentials, cookies, forwarding claims and Proxy-* headers never reach the
 * upstream, and Host is the upstream's. Asserted on what the upstream actually received.
 * (The unit-level twin is connection-header-cannot-strip-auth.test.ts.)
 */
import t from 'tap'
import { SignJWT } from 'jose'
import { startGateway } from '../helpers/gateway.js'
import { rawRequest } from '../helpers/raw-http.js'
import { recordingUpstream, type Received } from '../helpers/upstream.js'

const SECRETS = {
  caller_key: 'ck-conn-hdr-91c2d3',
  session_key: 'session-hs256-secret-0123456789abcdef',
  upstream_token: 'up-token-7a6b5c4d',
  upstream_api_key: 'up-apikey-1f2e3d4c',
}

/** Everything a hostile caller adds besides its own credential. */
const HOSTILE_HEADERS = {
  connection: 'authorization, x-api-key, x-units, keep-alive',
  'x-api-key': 'caller-api-key',
  'x-units': 'caller-units',
  cookie: 'session=caller-cookie',
  'x-forwarded-for': '10.0.0.1',
  'x-forwarded-host': 'evil.example',
  'x-forwarded-proto': 'http',
  forwarded: 'for=10.0.0.1;host=evil.example',
  'x-real-ip': '10.0.0.2',
  'proxy-authorization': 'Basic Y2FsbGVyOnB3',
  'proxy-connection': 'keep-alive',
  'proxy-custom': 'caller',
  'x-latchkey-other': 'caller',
  host: 'evil.example',
  'x-kept': 'yes',
}

t.test('a caller cannot strip or smuggle credentials through headers', async (t) => {
  const upstream = await recordingUpstream(t)
  const lk = await startGateway(t, `
server: { allow_private_upstreams: true }
callers:
  api_keys:
    svc: { key: "{{ get_secret('caller_key') }}" }
  jwt:
    secret: "{{ get_secret('session_key') }}"
    audience: latchkey
connectors:
  api:
    base_url: ${upstream.url}/base
    headers:
      X-Units: metric
    auth:
      default: bearer
      methods:
        bearer: { type: bearer, token: "{{ get_secret('upstream_token') }}" }
        key: { type: api_key, key: X-Api-Key, value: "{{ get_secret('upstream_api_key') }}" }
        none: { type: none }
connections:
  c-bearer: { connector: api, auth: bearer, access: { callers: [svc], users: true } }
  c-key: { connector: api, auth: key, access: { callers: [svc], users: true } }
  c-none: { connector: api, auth: none, access: { callers: [svc], users: true } }
`, { secrets: SECRETS })
  const userJwt = await new SignJWT({ sub: 'user-1' }).setProtectedHeader({ alg: 'HS256' }).setAudience('latchkey')
    .setExpirationTime('5m').sign(new TextEncoder().encode(SECRETS.session_key))

  const call = async (conn: string, credential: Record<string, string>): Promise<Received> => {
    const before = upstream.received.length
    const res = await rawRequest(lk.url, { path: `/proxy/${conn}/v1/x`, headers: { ...HOSTILE_HEADERS, ...credential } })
    t.equal(res.status, 200, `${conn} answers 200`)
    t.equal(upstream.received.length, before + 1)
    return upstream.last()
  }

  const assertClean = (seen: Received, label: string) => {
    for (const name of ['cookie', 'x-forwarded-for', 'x-forwarded-host', 'x-forwarded-proto', 'forwarded', 'x-real-ip',
      'proxy-authorization', 'proxy-connection', 'proxy-custom', 'x-latchkey-key', 'x-latchkey-other']) {
      t.notOk(name in seen.headers, `${label}: ${name} never reaches the upstream`)
    }
    t.equal(seen.headers.host, `127.0.0.1:${upstream.port}`, `${label}: Host is the upstream host`)
    t.equal(seen.headers['x-units'], 'metric', `${label}: a connector header survives Connection: x-units`)
    t.equal(seen.headers['x-kept'], 'yes', `${label}: ordinary headers pass`)
    t.notMatch(seen.headers.connection ?? '', /authorization|x-api-key/i, `${label}: the caller's Connection list is not forwarded`)
    const all = seen.rawHeaders.join('\n')
    for (const leaked of ['caller-cookie', 'evil.example', '10.0.0.1', SECRETS.caller_key, userJwt]) {
      t.notOk(all.includes(leaked), `${label}: ${leaked.slice(0, 12)} is nowhere in the upstream headers`)
    }
  }

  const apiKeyCaller = { 'x-latchkey-key': SECRETS.caller_key }
  const userCaller = { authorization: `Bearer ${userJwt}` }

  for (const [label, credential] of [['api-key caller', apiKeyCaller], ['user caller', userCaller]] as const) {
    const bearer = await call('c-bearer', credential)
    t.equal(bearer.headers.authorization, `Bearer ${SECRETS.upstream_token}`, `${label}: injected Authorization survives`)
    t.equal(bearer.headers['x-api-key'], undefined, `${label}: the caller's X-Api-Key was removed (named in Connection)`)
    assertClean(bearer, `${label} bearer`)

    const key = await call('c-key', credential)
    t.equal(key.headers['x-api-key'], SECRETS.upstream_api_key, `${label}: injected api key survives`)
    t.notOk('authorization' in key.headers, `${label}: the caller's Authorization never reaches the upstream`)
    assertClean(key, `${label} api key`)

    const none = await call('c-none', credential)
    t.notOk('authorization' in none.headers, `${label}: no Authorization with auth none`)
    t.notOk('x-api-key' in none.headers, `${label}: the caller's X-Api-Key named in Connection is removed`)
    assertClean(none, `${label} none`)
  }
})
