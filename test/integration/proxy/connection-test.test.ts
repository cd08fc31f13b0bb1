import t from 'tap'
import { MASK } from '../../../src/proxy/connection-test.js'
import { recordingUpstream } from '../../helpers/upstream.js'
import { startGateway } from '../../helpers/gateway.js'

const KEY = 'wk-test-request-77aa88bb'

t.test('the connector test request runs through render and auth, with credentials masked', async (t) => {
  const upstream = await recordingUpstream(t)
  const lk = await startGateway(t, `
connectors:
  weather:
    base_url: ${upstream.url}/api
    headers: { Accept: application/json }
    auth: { methods: { key: { type: api_key, key: key, value: "{{ get_secret('weather_key') }}", in: query } } }
    test: { method: GET, path: "/v1/current.json?q=London", expect_status: 200 }
connections:
  weather-main: { connector: weather }
`, { secrets: { weather_key: KEY } })
  const result = await lk.gateway.testConnection('weather-main')
  t.equal(result.ok, true)
  t.equal(result.status, 200)
  t.equal(upstream.last().url, `/api/v1/current.json?q=London&key=${KEY}`, 'the upstream got the real credential')
  t.same(result.debug.query, { q: 'London', key: MASK })
  t.equal(result.debug.url, `${upstream.url}/api/v1/current.json`)
  t.equal(result.debug.method, 'GET')
  t.equal(result.debug.headers.accept, 'application/json')
  t.notOk(JSON.stringify(result).includes(KEY), 'no credential in the result')
})

t.test('an unexpected status is ok: false', async (t) => {
  const upstream = await recordingUpstream(t, (_req, res) => { res.writeHead(401).end() })
  const lk = await startGateway(t, `
connectors:
  api:
    base_url: ${upstream.url}
    auth: { methods: { b: { type: bearer, token: "{{ get_secret('tok') }}" } } }
    test: { path: /me }
connections:
  c: { connector: api }
`, { secrets: { tok: 'bearer-secret-1a2b3c4d' } })
  const result = await lk.gateway.testConnection('c')
  t.equal(result.ok, false)
  t.equal(result.status, 401)
  t.equal(result.debug.headers.authorization, MASK)
})

t.test('the test path renders with the connection\'s own config', async (t) => {
  const upstream = await recordingUpstream(t)
  const lk = await startGateway(t, `
connectors:
  tenant-api:
    base_url: ${upstream.url}
    auth: { methods: { none: { type: none } } }
    test: { path: "/tenants/{{ connection.config.tenant }}/ping?who={{ connection.id }}" }
connections:
  acme: { connector: tenant-api, config: { tenant: acme-co } }
`)
  const result = await lk.gateway.testConnection('acme')
  t.equal(result.ok, true)
  t.equal(upstream.last().url, '/tenants/acme-co/ping?who=acme')
})
