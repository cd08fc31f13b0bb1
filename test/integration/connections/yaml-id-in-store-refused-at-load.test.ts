/**
 * SPEC 3: "An id in both [the YAML and the store] is a validation error at load". A reload
 * that adds a YAML connection whose id a stored connection has is refused (409
 * config_invalid naming it), the running config is kept, and the stored one keeps serving.
 */
import { readFile, writeFile } from 'node:fs/promises'
import t from 'tap'
import { startGateway } from '../../helpers/gateway.js'
import { ADMIN, CALLER, KEYS, storedConnectionsConfig, weatherBody } from '../../helpers/stored-connections.js'
import { recordingUpstream } from '../../helpers/upstream.js'

t.test('a YAML id that is also stored is a config problem at load', async (t) => {
  const upstream = await recordingUpstream(t)
  const gw = await startGateway(t, storedConnectionsConfig({ upstreamUrl: upstream.url }), { secrets: KEYS })
  t.equal((await gw.fetch('/admin/connections/taken', { method: 'PUT', headers: ADMIN, body: weatherBody('stored-key-taken') })).status, 201)

  const colliding = storedConnectionsConfig({
    upstreamUrl: upstream.url,
    yamlConnections: '  taken: { connector: weather, config: { region: eu }, credentials: { api_key: x }, access: { callers: ["*"] } }\n',
  })
  // The same file with the colliding YAML connection added (its store section kept as written).
  const current = await readFile(gw.configFile, 'utf8')
  await writeFile(gw.configFile, current.replace(/connectors:[^]*?\nstore:/, `${colliding.slice(colliding.indexOf('connectors:'))}\nstore:`))
  const reload = await gw.fetch('/admin/reload', { method: 'POST', headers: { 'x-latchkey-key': ADMIN['x-latchkey-key'] } })
  t.equal(reload.status, 409)
  const error = ((await reload.json()) as { error: { code: string, problems: string[] } }).error
  t.equal(error.code, 'config_invalid')
  t.ok(error.problems.some((p) => p.includes('connections.taken') && p.includes('stored connection')), error.problems.join(' | '))

  const res = await gw.fetch('/proxy/taken/x', { headers: CALLER })
  t.equal(res.status, 200, 'the stored connection still serves')
  await res.arrayBuffer()
  t.equal(upstream.last().headers['x-api-key'], 'stored-key-taken')
})
