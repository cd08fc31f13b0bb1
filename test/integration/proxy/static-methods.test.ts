import t from 'tap'
import { recordingUpstream } from '../../helpers/upstream.js'
import { assertNoSecrets, startGateway } from '../../helpers/gateway.js'

const SECRETS = {
  caller_key: 'ck-3f9a8b7c6d5e4f30',
  basic_password: 'pw-Zx81!secret',
  bearer_token: 'tok-8c1f0a9e7d6b5c4a',
  weather_key: 'wk-1234567890abcdef',
  custom_sig: 'sig-deadbeefcafebabe',
}

t.test('each static method adds exactly its credential', async (t) => {
  const upstream = await recordingUpstream(t)
  const lk = await startGateway(t, `
server: { allow_private_upstreams: true }
callers:
  api_keys:
    svc: { key: "{{ get_secret('caller_key') }}" }
connectors:
  plain:
    base_url: ${upstream.url}/base
    auth:
      default: none
      methods:
        none: { type: none }
        basic: { type: basic, username: "user-{{ connection.config.tenant }}", password: "{{ get_secret('basic_password') }}" }
        bearer: { type: bearer, token: "{{ get_secret('bearer_token') }}" }
        header_key: { type: api_key, key: X-Api-Key, value: "{{ get_secret('weather_key') }}" }
        query_key: { type: api_key, key: key, value: "{{ get_secret('weather_key') }}", in: query }
        custom:
          type: custom
          headers: { X-Signature: "{{ get_secret('custom_sig') }}", X-Caller: "{{ caller.id }}" }
          query: { sig: "{{ get_secret('custom_sig') | sha256 }}" }
connections:
  c-none: { connector: plain, auth: none, access: { callers: [svc] } }
  c-basic: { connector: plain, auth: basic, config: { tenant: acme }, access: { callers: [svc] } }
  c-bearer: { connector: plain, auth: bearer, access: { callers: [svc] } }
  c-header: { connector: plain, auth: header_key, access: { callers: [svc] } }
  c-query: { connector: plain, auth: query_key, access: { callers: [svc] } }
  c-custom: { connector: plain, auth: custom, access: { callers: [svc] } }
`, { secrets: SECRETS })
  const call = async (conn: string, suffix = '/v1/items?x=1') => {
    const res = await lk.fetch(`/proxy/${conn}${suffix}`, { headers: { 'x-latchkey-key': SECRETS.caller_key, 'x-extra': 'kept' } })
    t.equal(res.status, 200, `${conn} answers 200`)
    await res.text()
    return upstream.last()
  }

  const none = await call('c-none')
  t.equal(none.url, '/base/v1/items?x=1')
  t.notOk(none.headers.authorization)
  t.notOk(none.headers['x-latchkey-key'], 'the caller key never reaches the upstream')
  t.equal(none.headers['x-extra'], 'kept')
  t.equal(none.headers.host, `127.0.0.1:${upstream.port}`)

  const basic = await call('c-basic')
  t.equal(basic.headers.authorization, `Basic ${Buffer.from(`user-acme:${SECRETS.basic_password}`).toString('base64')}`)

  const bearer = await call('c-bearer')
  t.equal(bearer.headers.authorization, `Bearer ${SECRETS.bearer_token}`)

  const header = await call('c-header')
  t.equal(header.headers['x-api-key'], SECRETS.weather_key)
  t.equal(header.url, '/base/v1/items?x=1')

  const query = await call('c-query', '/v1/items?x=1&key=caller-value')
  t.equal(query.url, `/base/v1/items?x=1&key=${SECRETS.weather_key}`, 'the auth query parameter replaces the caller value')

  const custom = await call('c-custom')
  t.equal(custom.headers['x-signature'], SECRETS.custom_sig)
  t.equal(custom.headers['x-caller'], 'svc')
  t.match(custom.url, /^\/base\/v1\/items\?x=1&sig=[0-9a-f]{64}$/)

  assertNoSecrets(t, lk.logs, Object.values(SECRETS))
})

t.test('connector headers and query: overridable or not', async (t) => {
  const upstream = await recordingUpstream(t)
  const lk = await startGateway(t, `
server: { allow_private_upstreams: true }
connectors:
  api:
    base_url: ${upstream.url}
    headers:
      Accept: application/json
      X-Units: { value: metric, overridable: true }
    query:
      format: json
      lang: { value: en, overridable: true }
    auth: { methods: { none: { type: none } } }
connections:
  open: { connector: api, access: { anonymous: true } }
`)
  let res = await lk.fetch('/proxy/open/a?format=xml&lang=fr', { headers: { accept: 'text/html', 'x-units': 'imperial' } })
  t.equal(res.status, 200)
  let seen = upstream.last()
  t.equal(seen.headers.accept, 'application/json', 'a non-overridable header replaces the caller value')
  t.equal(seen.headers['x-units'], 'imperial', 'an overridable header keeps the caller value')
  t.equal(seen.url, '/a?lang=fr&format=json', 'non-overridable query replaces; overridable keeps the caller value')

  res = await lk.fetch('/proxy/open/a')
  t.equal(res.status, 200)
  seen = upstream.last()
  t.equal(seen.headers['x-units'], 'metric')
  t.equal(seen.url, '/a?format=json&lang=en')
})

t.test('a missing secret fails the request before the upstream', async (t) => {
  const upstream = await recordingUpstream(t)
  const lk = await startGateway(t, `
server: { allow_private_upstreams: true }
connectors:
  api:
    base_url: ${upstream.url}
    auth: { methods: { b: { type: bearer, token: "{{ get_secret('not_set_anywhere') }}" } } }
connections:
  open: { connector: api, access: { anonymous: true } }
`)
  const res = await lk.fetch('/proxy/open/x')
  t.equal(res.status, 500)
  const body = await res.json() as { error: { code: string, request_id: string } }
  t.equal(body.error.code, 'secret_not_found')
  t.equal(body.error.request_id, res.headers.get('x-request-id'))
  t.equal(upstream.received.length, 0)
})
