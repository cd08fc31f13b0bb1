/**
 * SPEC 6.5: a method a route does not take is 405 `method_not_allowed` with `Allow`, for
 * /actions (POST only) and the admin routes; the action never runs.
 */
import t from 'tap'
import { startGateway } from '../../helpers/gateway.js'
import { recordingUpstream } from '../../helpers/upstream.js'

t.test('other methods on /actions and /admin are 405 with Allow', async (t) => {
  const upstream = await recordingUpstream(t)
  const gw = await startGateway(t, `
callers:
  api_keys:
    ops: { key: "{{ get_secret('ops_key') }}", admin: true }
connectors:
  up:
    base_url: ${upstream.url}
    capabilities: { entities: { item: { actions: { list: { method: GET, path: /items } } } } }
connections:
  up: { connector: up, access: { callers: ['*'] } }
`, { secrets: { ops_key: 'ops-key-405' } })
  const headers = { 'x-latchkey-key': 'ops-key-405' }
  for (const [method, path, allow] of [
    ['GET', '/actions/up/item/list', 'POST'],
    ['DELETE', '/actions/up/item/list', 'POST'],
    ['POST', '/admin/connectors', 'GET, HEAD'],
    ['GET', '/admin/reload', 'POST'],
  ] as const) {
    const res = await gw.fetch(path, { method, headers })
    t.equal(res.status, 405, `${method} ${path}: 405`)
    t.equal(res.headers.get('allow'), allow, `${method} ${path}: Allow`)
    t.equal(((await res.json()) as { error: { code: string } }).error.code, 'method_not_allowed')
  }
  t.equal(upstream.received.length, 0, 'no action ran')
})
