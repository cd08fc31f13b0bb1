/**
 * SPEC 6.3, the contract of the header step: forwardRequestHeaders removes the fields the
 * caller's own `Connection` header names from the copy of the caller's headers it returns, and
 * from nothing else, so connector headers and auth, applied to that copy afterwards by
 * prepareUpstreamRequest, survive `Connection: authorization, x-api-key, x-units`. Both header
 * source shapes are covered: node's parsed object and the rawHeaders array (what /proxy passes).
 * Calls the functions directly; the HTTP round trip is connection-header-cannot-strip-auth.integration.test.ts.
 */
import t from 'tap'
import type { Caller } from '../../src/callers/types.js'
import { forwardRequestHeaders, type HeaderSource } from '../../src/proxy/header-hygiene.js'
import { prepareUpstreamRequest } from '../../src/proxy/prepare.js'
import { startGateway } from '../helpers/gateway.js'

/** The same caller headers in both shapes: a Connection list in two headers, odd case and spacing. */
const PARSED = {
  connection: 'keep-alive, Authorization,  X-Api-Key , x-units, X-Tenant',
  authorization: 'Bearer caller-jwt',
  'x-api-key': 'caller-api-key',
  'x-units': 'caller-units',
  'x-tenant': 'acme',
  'x-kept': 'yes',
  accept: 'application/json',
}
const RAW = [
  'Connection', 'keep-alive, Authorization',
  'CONNECTION', ' X-Api-Key ,x-units',
  'connection', 'X-Tenant',
  'Authorization', 'Bearer caller-jwt',
  'X-Api-Key', 'caller-api-key',
  'X-Units', 'caller-units',
  'X-Tenant', 'acme',
  'X-Kept', 'yes',
  'Accept', 'application/json',
]
const SHAPES: Array<[string, () => HeaderSource]> = [
  ['parsed object', () => ({ ...PARSED })],
  ['rawHeaders array', () => [...RAW]],
]

for (const [shape, make] of SHAPES) {
  t.test(`${shape}: the fields named in Connection are removed from the returned copy only`, async (t) => {
    const source = make()
    const before = structuredClone(source)
    const out = forwardRequestHeaders(source)
    // x-tenant is an ordinary header removed only because Connection names it.
    t.same({ ...out }, { 'x-kept': 'yes', accept: 'application/json' }, 'named fields, hop-by-hop fields and the credential are removed')
    t.same(source, before, 'the source headers are not touched')
    t.not(out, source, 'a fresh object')
    out['x-mutated'] = 'yes'
    t.same(forwardRequestHeaders(make()), { 'x-kept': 'yes', accept: 'application/json' }, 'no state kept between calls')
  })

  t.test(`${shape}: a name Connection does not list is not removed`, async (t) => {
    const source = make()
    const out = forwardRequestHeaders(Array.isArray(source)
      ? ['Connection', 'x-other', ...source.slice(6)]
      : { ...source, connection: 'x-other' })
    t.equal(out['x-tenant'], 'acme')
    t.equal(out['x-units'], 'caller-units')
    t.notOk('authorization' in out, 'the caller credential is removed whatever Connection says')
  })
}

t.test('auth and connector headers applied after the Connection step survive it', async (t) => {
  const secrets = { caller_key: 'ck-conn-unit-5d6e7f', upstream_token: 'up-token-conn-unit-1a2b', upstream_key: 'up-key-conn-unit-3c4d' }
  const lk = await startGateway(t, `
server: { log_level: silent }
callers:
  api_keys:
    svc: { key: "{{ get_secret('caller_key') }}" }
connectors:
  api:
    base_url: http://127.0.0.1:9/base
    headers:
      X-Units: metric
    auth:
      default: bearer
      methods:
        bearer: { type: bearer, token: "{{ get_secret('upstream_token') }}" }
        key: { type: api_key, key: X-Api-Key, value: "{{ get_secret('upstream_key') }}" }
connections:
  c-bearer: { connector: api, auth: bearer, access: { callers: [svc] } }
  c-key: { connector: api, auth: key, access: { callers: [svc] } }
`, { secrets })
  const runtime = lk.gateway.runtime()
  const caller: Caller = { kind: 'api_key', id: 'svc', admin: false }
  const prepare = (connection: string, headers: HeaderSource) => prepareUpstreamRequest(
    { conn: runtime.connections.get(connection)!, caller, method: 'GET', path: '/v1/x', rawQuery: '', headers },
    { secrets: lk.gateway.secrets, upstreams: lk.gateway.upstreams, allowPrivate: true })

  for (const [shape, make] of SHAPES) {
    const bearer = await prepare('c-bearer', make())
    t.equal(bearer.headers.authorization, `Bearer ${secrets.upstream_token}`, `${shape}: injected Authorization survives`)
    t.equal(bearer.headers['x-units'], 'metric', `${shape}: the connector header survives`)
    t.notOk('x-api-key' in bearer.headers, `${shape}: the caller's X-Api-Key named in Connection is gone`)
    t.notOk('x-tenant' in bearer.headers, `${shape}: the caller's X-Tenant named in Connection is gone`)
    t.equal(bearer.headers['x-kept'], 'yes', `${shape}: other caller headers pass`)

    const key = await prepare('c-key', make())
    t.equal(key.headers['x-api-key'], secrets.upstream_key, `${shape}: injected X-Api-Key survives`)
    t.equal(key.headers['x-units'], 'metric', `${shape}: the connector header survives`)
    t.notOk('authorization' in key.headers, `${shape}: the caller's Authorization never travels on`)
    t.notOk('connection' in key.headers, `${shape}: the caller's Connection list itself is not forwarded`)
  }
})
