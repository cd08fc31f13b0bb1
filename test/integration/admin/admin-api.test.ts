/**
 * SPEC 9 admin API over real HTTP: the exact JSON of every route, who may call it, that no
 * credential or secret value ever appears in an answer, a connection test against a real
 * upstream with credentials masked, and reload from the rewritten config file (an invalid one is
 * refused with its problems and the running config keeps serving).
 */
import { readFile, writeFile } from 'node:fs/promises'
import t from 'tap'
import { SignJWT } from 'jose'
import { assertNoSecrets, startGateway, type TestGateway } from '../../helpers/gateway.js'
import type { TeardownHost } from '../../helpers/redis.js'
import { recordingUpstream, type RecordingUpstream } from '../../helpers/upstream.js'

const SECRETS = {
  ops_key: 'ak-ops-admin-5e6f7a8b9c',
  svc_key: 'ck-svc-plain-1a2b3c4d5e',
  weather_key: 'wk-weather-secret-77aa88bb',
  acme_token: 'tok-acme-credential-3c4d5e6f',
  user_hs: 'hs256-user-session-secret-0123456789abcdef',
}
/** A credential written as a literal in the YAML: must never come back either. */
const LITERAL_CREDENTIAL = 'lit-cred-9z8y7x6w5v'
const ISSUER = 'https://issuer.test/'
/** A plain config value: not a secret, but connection config is not part of the listing. */
const CONFIG_VALUE = 'acme-subdomain-q1w2'

const ADMIN = { 'x-latchkey-key': SECRETS.ops_key }
const MASK = '****'

function yamlFor (upstream: RecordingUpstream): string {
  return `
server: { allow_private_upstreams: true }
callers:
  api_keys:
    ops: { key: "{{ get_secret('ops_key') }}", admin: true }
    svc: { key: "{{ get_secret('svc_key') }}" }
  jwt:
    issuer: ${ISSUER}
    audience: latchkey
    secret: "{{ get_secret('user_hs') }}"
    algorithms: [HS256]
connectors:
  weather:
    name: Weather API
    description: Current weather
    domain: weatherapi.com
    visibility: public
    icon_url: https://example.com/icon.png
    base_url: ${upstream.url}/api
    auth:
      default: key
      methods:
        key: { type: api_key, key: key, value: "{{ get_secret('weather_key') }}", in: query }
        token: { type: bearer, token: "{{ connection.credentials.token }}" }
    inputs:
      - { name: token, label: Token, type: password, required: true }
    test: { method: GET, path: "/v1/current.json?q=London", expect_status: 200 }
  plain:
    base_url: ${upstream.url}
    auth: { methods: { none: { type: none } } }
connections:
  weather-key: { connector: weather, access: { callers: [svc] } }
  weather-acme:
    connector: weather
    auth: token
    config: { subdomain: ${CONFIG_VALUE} }
    credentials: { token: "{{ get_secret('acme_token') }}" }
    owner: user-1
    access: { callers: [svc] }
  literal: { connector: plain, credentials: { token: ${LITERAL_CREDENTIAL} }, access: { anonymous: true } }
`
}

async function json (res: Response): Promise<{ status: number, type: string | null, text: string, body: any }> {
  const text = await res.text()
  return { status: res.status, type: res.headers.get('content-type'), text, body: JSON.parse(text) }
}

async function setup (t: TeardownHost): Promise<{ lk: TestGateway, upstream: RecordingUpstream }> {
  const upstream = await recordingUpstream(t)
  const lk = await startGateway(t, yamlFor(upstream), { secrets: SECRETS })
  return { lk, upstream }
}

const SECRET_VALUES = [...Object.values(SECRETS), LITERAL_CREDENTIAL]

t.test('GET /admin/connectors lists the built-in catalog and the configured connectors', async (t) => {
  const { lk, upstream } = await setup(t)
  const res = await json(await lk.fetch('/admin/connectors', { headers: ADMIN }))
  t.equal(res.status, 200)
  t.match(res.type, /^application\/json/)
  t.same(Object.keys(res.body), ['connectors'])
  const list = res.body.connectors as Array<Record<string, unknown>>
  const slugs = list.map((c) => c.slug)
  t.same(slugs, [...slugs].sort(), 'sorted by slug')
  for (const c of list) {
    t.same(Object.keys(c).sort(), ['auth_methods', 'capabilities', 'default_auth', 'description', 'domain', 'icon_url',
      'inputs', 'name', 'slug', 'source', 'visibility'], `${String(c.slug)}: exactly the SPEC fields`)
  }
  t.equal(list.find((c) => c.slug === 'github')?.source, 'builtin')
  t.equal(list.find((c) => c.slug === 'http')?.source, 'builtin')
  t.strictSame(list.find((c) => c.slug === 'weather'), {
    slug: 'weather',
    name: 'Weather API',
    description: 'Current weather',
    domain: 'weatherapi.com',
    visibility: 'public',
    icon_url: 'https://example.com/icon.png',
    auth_methods: [{ name: 'key', type: 'api_key' }, { name: 'token', type: 'bearer' }],
    default_auth: 'key',
    inputs: [{ name: 'token', label: 'Token', type: 'password', required: true }],
    capabilities: {},
    source: 'config',
  })
  t.strictSame(list.find((c) => c.slug === 'plain'), {
    slug: 'plain', name: 'plain', description: null, domain: null, visibility: 'private', icon_url: null,
    auth_methods: [{ name: 'none', type: 'none' }], default_auth: 'none', inputs: [], capabilities: {}, source: 'config',
  }, 'defaults for the optional fields')
  t.notOk(res.text.includes(upstream.url), 'no base URL in the public description')
  assertNoSecrets(t, [res.text], SECRET_VALUES)
})

t.test('GET /admin/connectors/:slug answers one connector, same shape; unknown is 404 not_found', async (t) => {
  const { lk } = await setup(t)
  const all = (await json(await lk.fetch('/admin/connectors', { headers: ADMIN }))).body.connectors as Array<{ slug: string }>
  for (const slug of ['weather', 'github', 'plain']) {
    const res = await json(await lk.fetch(`/admin/connectors/${slug}`, { headers: ADMIN }))
    t.equal(res.status, 200, slug)
    t.strictSame(res.body, all.find((c) => c.slug === slug), `${slug}: the list entry itself, no wrapper`)
  }
  const missing = await json(await lk.fetch('/admin/connectors/nope', { headers: ADMIN }))
  t.equal(missing.status, 404)
  t.equal(missing.body.error.code, 'not_found')
  t.type(missing.body.error.request_id, 'string')
})

t.test('GET /admin/connections lists connections without credentials or config values', async (t) => {
  const { lk } = await setup(t)
  const res = await json(await lk.fetch('/admin/connections', { headers: ADMIN }))
  t.equal(res.status, 200)
  t.match(res.type, /^application\/json/)
  t.strictSame(res.body, {
    connections: [
      { id: 'literal', connector: 'plain', auth: 'none', owner: null, source: 'config', status: 'configured', created_at: null },
      { id: 'weather-acme', connector: 'weather', auth: 'token', owner: 'user-1', source: 'config', status: 'configured', created_at: null },
      { id: 'weather-key', connector: 'weather', auth: 'key', owner: null, source: 'config', status: 'configured', created_at: null },
    ],
  })
  t.notOk(res.text.includes(CONFIG_VALUE), 'no config value')
  assertNoSecrets(t, [res.text], SECRET_VALUES)

  const one = await json(await lk.fetch('/admin/connections/weather-acme', { headers: ADMIN }))
  t.equal(one.status, 200)
  t.strictSame(one.body, res.body.connections[1], 'one connection, same shape')
  assertNoSecrets(t, [one.text], SECRET_VALUES)

  const missing = await json(await lk.fetch('/admin/connections/nope', { headers: ADMIN }))
  t.equal(missing.status, 404)
  t.equal(missing.body.error.code, 'connection_not_found')
  assertNoSecrets(t, lk.logs, SECRET_VALUES)

  // A YAML connection is read only through the API: PUT and DELETE are 409 connection_conflict.
  for (const method of ['PUT', 'DELETE']) {
    const res = await json(await lk.fetch('/admin/connections/weather-key', { method, headers: { ...ADMIN, 'content-type': 'application/json' }, body: '{"connector":"weather"}' }))
    t.equal(res.status, 409, method)
    t.equal(res.body.error.code, 'connection_conflict', method)
  }
  t.equal((await lk.fetch('/admin/connections/weather-key', { headers: ADMIN })).status, 200, 'the connection is untouched')
})

t.test('POST /admin/connections/:id/test runs the test against the real upstream, credentials masked', async (t) => {
  const { lk, upstream } = await setup(t)
  const res = await json(await lk.fetch('/admin/connections/weather-key/test', { method: 'POST', headers: ADMIN }))
  t.equal(res.status, 200)
  t.same(Object.keys(res.body).sort(), ['debug', 'duration_ms', 'ok', 'status'])
  t.equal(res.body.ok, true)
  t.equal(res.body.status, 200)
  t.type(res.body.duration_ms, 'number')
  t.strictSame(res.body.debug.query, { q: 'London', key: MASK })
  t.equal(res.body.debug.url, `${upstream.url}/api/v1/current.json`)
  t.equal(res.body.debug.method, 'GET')
  t.equal(upstream.last().url, `/api/v1/current.json?q=London&key=${SECRETS.weather_key}`, 'the upstream got the real credential')

  const bearer = await json(await lk.fetch('/admin/connections/weather-acme/test', { method: 'POST', headers: ADMIN }))
  t.equal(bearer.status, 200)
  t.equal(bearer.body.debug.headers.authorization, MASK)
  t.equal(upstream.last().headers.authorization, `Bearer ${SECRETS.acme_token}`)
  assertNoSecrets(t, [res.text, bearer.text, ...lk.logs], SECRET_VALUES)

  const missing = await json(await lk.fetch('/admin/connections/nope/test', { method: 'POST', headers: ADMIN }))
  t.equal(missing.status, 404)
  t.equal(missing.body.error.code, 'connection_not_found')
  const noTest = await json(await lk.fetch('/admin/connections/literal/test', { method: 'POST', headers: ADMIN }))
  t.equal(noTest.status, 400)
  t.equal(noTest.body.error.code, 'invalid_request')
})

t.test('a failing upstream is ok: false with the status it answered', async (t) => {
  const upstream = await recordingUpstream(t, (_req, res) => { res.writeHead(503).end() })
  const lk = await startGateway(t, yamlFor(upstream), { secrets: SECRETS })
  const res = await json(await lk.fetch('/admin/connections/weather-key/test', { method: 'POST', headers: ADMIN }))
  t.equal(res.status, 200, 'the admin call worked; the test did not')
  t.equal(res.body.ok, false)
  t.equal(res.body.status, 503)
})

t.test('admin bodies are JSON only', async (t) => {
  const { lk } = await setup(t)
  const plain = await json(await lk.fetch('/admin/reload', { method: 'POST', headers: { ...ADMIN, 'content-type': 'text/plain' }, body: 'reload' }))
  t.equal(plain.status, 400)
  t.equal(plain.body.error.code, 'invalid_request')
  const broken = await json(await lk.fetch('/admin/reload', { method: 'POST', headers: { ...ADMIN, 'content-type': 'application/json' }, body: '{' }))
  t.equal(broken.status, 400)
  t.equal(broken.body.error.code, 'invalid_request')
  const empty = await lk.fetch('/admin/reload', { method: 'POST', headers: { ...ADMIN, 'content-type': 'application/json' } })
  t.equal(empty.status, 200, 'an empty JSON body is no body')
  const object = await lk.fetch('/admin/reload', { method: 'POST', headers: { ...ADMIN, 'content-type': 'application/json' }, body: '{}' })
  t.equal(object.status, 200)
})

t.test('only an admin api key gets in', async (t) => {
  const { lk, upstream } = await setup(t)
  const secret = new TextEncoder().encode(SECRETS.user_hs)
  const userJwt = await new SignJWT({ sub: 'user-1' }).setProtectedHeader({ alg: 'HS256' }).setIssuer(ISSUER)
    .setAudience('latchkey').setIssuedAt().setExpirationTime('5m').sign(secret)
  // The user token works on the data plane, so a 403 below is about /admin, not the token.
  const cases: Array<[string, Record<string, string>, number, string]> = [
    ['no credentials', {}, 401, 'unauthenticated'],
    ['a wrong key', { 'x-latchkey-key': 'ak-not-a-key' }, 401, 'unauthenticated'],
    ['a bad bearer token', { authorization: 'Bearer not.a.jwt' }, 401, 'unauthenticated'],
    ['a non-admin key', { 'x-latchkey-key': SECRETS.svc_key }, 403, 'forbidden'],
    ['a verified user', { authorization: `Bearer ${userJwt}` }, 403, 'forbidden'],
  ]
  for (const [who, headers, status, code] of cases) {
    const res = await json(await lk.fetch('/admin/connections', { headers }))
    t.equal(res.status, status, who)
    t.equal(res.body.error.code, code, who)
    t.type(res.body.error.request_id, 'string')
  }
  const test = await lk.fetch('/admin/connections/weather-key/test', { method: 'POST', headers: { 'x-latchkey-key': SECRETS.svc_key } })
  t.equal(test.status, 403)
  t.equal(upstream.received.length, 0, 'a refused test never reaches the upstream')
})

t.test('POST /admin/reload picks up the rewritten config; an invalid one is 409 with its problems', async (t) => {
  const { lk, upstream } = await setup(t)
  const original = await readFile(lk.configFile, 'utf8')
  t.equal((await lk.fetch('/proxy/added/ping')).status, 404, 'not there before the reload')

  await writeFile(lk.configFile, original.replace('connections:\n', 'connections:\n  added: { connector: plain, access: { anonymous: true } }\n'))
  const ok = await json(await lk.fetch('/admin/reload', { method: 'POST', headers: ADMIN }))
  t.equal(ok.status, 200)
  t.strictSame(ok.body, { status: 'reloaded' })
  const added = await json(await lk.fetch('/admin/connections/added', { headers: ADMIN }))
  t.equal(added.status, 200)
  t.equal(added.body.connector, 'plain')
  const proxied = await lk.fetch('/proxy/added/ping')
  t.equal(proxied.status, 200, 'the new connection serves')
  t.equal(upstream.last().url, '/ping')

  await writeFile(lk.configFile, original.replace('connections:\n', 'connections:\n  broken: { connector: no-such-connector }\n'))
  const refused = await json(await lk.fetch('/admin/reload', { method: 'POST', headers: ADMIN }))
  t.equal(refused.status, 409)
  t.match(refused.type, /^application\/json/)
  t.same(Object.keys(refused.body), ['error'])
  t.same(Object.keys(refused.body.error).sort(), ['code', 'message', 'problems', 'request_id'])
  t.equal(refused.body.error.code, 'config_invalid')
  t.type(refused.body.error.request_id, 'string')
  t.type(refused.body.error.message, 'string')
  t.ok(refused.body.error.problems.length >= 1)
  for (const p of refused.body.error.problems) t.match(p, /latchkey\.yaml:\d+:\d+: /, 'FILE:LINE:COL: message')
  t.ok(refused.body.error.problems.some((p: string) => p.includes('no-such-connector')), 'names the unknown connector')
  assertNoSecrets(t, [refused.text], SECRET_VALUES)

  await writeFile(lk.configFile, original.replace('path: ${LATCHKEY_TEST_DATA}', 'path: ${LATCHKEY_TEST_DATA}/elsewhere'))
  const restart = await json(await lk.fetch('/admin/reload', { method: 'POST', headers: ADMIN }))
  t.equal(restart.status, 409, 'a store change is refused')
  t.equal(restart.body.error.code, 'config_invalid')
  t.match(restart.body.error.problems, [/latchkey\.yaml:1:1: store: changes need a restart/])

  t.equal((await lk.fetch('/proxy/added/ping')).status, 200, 'the running config still serves')
  t.equal((await lk.fetch('/admin/connections/broken', { headers: ADMIN })).status, 404, 'nothing of the refused config')
})
