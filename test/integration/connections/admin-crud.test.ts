/**
 * SPEC 9 / 8.1: PUT creates (201) or replaces (200) a stored connection, GET shows it with
 * `source: store`, its status and timestamps and never a credential, DELETE removes it (204);
 * a YAML id is 409 connection_conflict; a bad body is 400 invalid_request naming each field.
 * Each change is served on the next request, without a reload.
 */
import t from 'tap'
import { assertNoSecrets, startGateway } from '../../helpers/gateway.js'
import { ADMIN, CALLER, KEYS, storedConnectionsConfig, weatherBody } from '../../helpers/stored-connections.js'
import { recordingUpstream } from '../../helpers/upstream.js'

const FIRST = 'stored-key-first-1a2b'
const SECOND = 'stored-key-second-3c4d'

t.test('create, read, replace, delete', async (t) => {
  const upstream = await recordingUpstream(t)
  const gw = await startGateway(t, storedConnectionsConfig({ upstreamUrl: upstream.url }), { secrets: KEYS })
  const put = (id: string, body: string) => gw.fetch(`/admin/connections/${id}`, { method: 'PUT', headers: ADMIN, body })

  t.equal((await gw.fetch('/proxy/acme/v1/now', { headers: CALLER })).status, 404, 'unknown before it is created')

  const created = await put('acme', weatherBody(FIRST, { owner: 'user-7' }))
  t.equal(created.status, 201)
  const body = await created.json() as Record<string, unknown>
  t.match(body, { id: 'acme', connector: 'weather', auth: 'key', owner: 'user-7', source: 'store', status: 'connected' })
  t.match(body.created_at, /^\d{4}-\d\d-\d\dT/)

  const proxied = await gw.fetch('/proxy/acme/v1/now', { headers: CALLER })
  t.equal(proxied.status, 200, 'served at once')
  await proxied.arrayBuffer()
  t.equal(upstream.last().headers['x-api-key'], FIRST)
  t.equal(upstream.last().headers['x-region'], 'us')

  const replaced = await put('acme', weatherBody(SECOND))
  t.equal(replaced.status, 200, 'replaced')
  const replacedBody = await replaced.json() as Record<string, unknown>
  t.equal(replacedBody.created_at, body.created_at, 'the creation time stays')
  await (await gw.fetch('/proxy/acme/v1/now', { headers: CALLER })).arrayBuffer()
  t.equal(upstream.last().headers['x-api-key'], SECOND, 'the next request uses the new credentials')

  const one = await gw.fetch('/admin/connections/acme', { headers: ADMIN })
  t.match(await one.json(), { id: 'acme', source: 'store', status: 'connected', updated_at: /^\d{4}-/ })
  const list = await (await gw.fetch('/admin/connections', { headers: ADMIN })).json() as { connections: Array<{ id: string, source: string }> }
  t.same(list.connections.map((c) => [c.id, c.source]), [['acme', 'store'], ['yaml-one', 'config']])

  t.equal((await gw.fetch('/admin/connections/acme', { method: 'DELETE', headers: { 'x-latchkey-key': ADMIN['x-latchkey-key'] } })).status, 204)
  t.equal((await gw.fetch('/proxy/acme/v1/now', { headers: CALLER })).status, 404, 'gone on the next request')
  t.equal((await gw.fetch('/admin/connections/acme', { method: 'DELETE', headers: { 'x-latchkey-key': ADMIN['x-latchkey-key'] } })).status, 404)
  t.equal((await gw.fetch('/admin/connections/acme', { headers: ADMIN })).status, 404)

  const texts = [...gw.logs, JSON.stringify(body), JSON.stringify(replacedBody), JSON.stringify(list)]
  assertNoSecrets(t, texts, [FIRST, SECOND])
})

t.test('a YAML id is 409 connection_conflict for PUT and DELETE', async (t) => {
  const upstream = await recordingUpstream(t)
  const gw = await startGateway(t, storedConnectionsConfig({ upstreamUrl: upstream.url }), { secrets: KEYS })
  for (const method of ['PUT', 'DELETE']) {
    const res = await gw.fetch('/admin/connections/yaml-one', { method, headers: ADMIN, body: weatherBody(FIRST) })
    t.equal(res.status, 409, method)
    t.equal(((await res.json()) as { error: { code: string } }).error.code, 'connection_conflict')
  }
})

t.test('a bad body is 400 invalid_request naming each bad field, and stores nothing', async (t) => {
  const upstream = await recordingUpstream(t)
  const gw = await startGateway(t, storedConnectionsConfig({ upstreamUrl: upstream.url }), { secrets: KEYS })
  const cases: Array<[string, string, string[]]> = [
    ['unknown connector', JSON.stringify({ connector: 'nope' }), ['connector']],
    ['unknown field', JSON.stringify({ connector: 'weather', colour: 'red' }), ["unknown key 'colour'"]],
    ['wrong types', JSON.stringify({ connector: 'weather', config: 'x', credentials: { api_key: 7 } }), ['config', 'credentials.api_key']],
    ['inputs', JSON.stringify({ connector: 'weather', config: { region: 'Europe' }, credentials: {} }), ['config.region: two lower-case letters', 'credentials.api_key: API key is required']],
    ['auth and access', JSON.stringify({ connector: 'weather', auth: 'oauth', access: { callers: ['ghost'], allow: ['get /x'] } }), ['auth']],
    ['access', weatherBody(FIRST, { access: { callers: ['ghost'], allow: ['get /x'] } }), ['access.callers', 'access.allow.0']],
    ['not an object', '[1,2]', ['expected']],
  ]
  for (const [name, body, fields] of cases) {
    const res = await gw.fetch('/admin/connections/bad-one', { method: 'PUT', headers: ADMIN, body })
    t.equal(res.status, 400, `${name}: 400`)
    const error = ((await res.json()) as { error: { code: string, message: string, problems: string[] } }).error
    t.equal(error.code, 'invalid_request', `${name}: invalid_request`)
    for (const field of fields) t.ok(error.problems.some((p) => p.includes(field)), `${name}: names ${field} (${error.problems.join(' | ')})`)
  }
  const bad = await gw.fetch('/admin/connections/Bad_Id!', { method: 'PUT', headers: ADMIN, body: weatherBody(FIRST) })
  t.equal(bad.status, 400, 'an id outside the id pattern')
  t.equal((await gw.fetch('/admin/connections/bad-one', { headers: ADMIN })).status, 404, 'nothing was stored')
})
