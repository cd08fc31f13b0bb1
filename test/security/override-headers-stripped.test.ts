/**
 * Defends: method- and URL-override headers never reach the upstream (SPEC 6.3), so an
 * upstream that honours them cannot be steered past an `allow` rule (a permitted
 * `GET /v1/items` turned into a DELETE, or into a request for `/admin`).
 */
import t from 'tap'
import { startGateway } from '../helpers/gateway.js'
import { recordingUpstream } from '../helpers/upstream.js'

const OVERRIDES = ['X-HTTP-Method-Override', 'X-HTTP-Method', 'X-Method-Override', 'X-Original-URL', 'X-Rewrite-URL']

t.test('override headers are stripped on an allow-restricted connection', async (t) => {
  const upstream = await recordingUpstream(t)
  const gw = await startGateway(t, `
connectors:
  up: { base_url: ${upstream.url} }
connections:
  up: { connector: up, access: { anonymous: true, allow: ['GET /v1/items'] } }
`)
  for (const name of OVERRIDES) {
    const value = name.endsWith('URL') ? '/admin/delete-everything' : 'DELETE'
    const res = await gw.fetch('/proxy/up/v1/items', { headers: { [name]: value, [name.toUpperCase()]: value } })
    t.equal(res.status, 200, `${name}: the allowed request passes`)
    await res.arrayBuffer()
    const seen = upstream.last().rawHeaders.filter((_, i) => i % 2 === 0).map((h) => h.toLowerCase())
    t.notOk(seen.includes(name.toLowerCase()), `${name}: not forwarded`)
    t.equal(upstream.last().method, 'GET')
    t.equal(upstream.last().url, '/v1/items')
  }
})
