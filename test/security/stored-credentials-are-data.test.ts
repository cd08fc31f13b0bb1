/**
 * Defends: values from the admin API are data, never templates (SPEC 8: "never compiled or
 * rendered as templates"). A stored credential `{{ get_secret('x') }}` reaches the upstream as
 * those exact characters, and the secret named in it never leaves the store.
 */
import t from 'tap'
import { assertNoSecrets, startGateway } from '../helpers/gateway.js'
import { ADMIN, CALLER, KEYS, storedConnectionsConfig, weatherBody } from '../helpers/stored-connections.js'
import { recordingUpstream } from '../helpers/upstream.js'

const HIDDEN = 'hidden-secret-value-77de'

t.test('stored credentials and config arrive upstream literally', async (t) => {
  const upstream = await recordingUpstream(t)
  const gw = await startGateway(t, storedConnectionsConfig({ upstreamUrl: upstream.url }), { secrets: { ...KEYS, hidden: HIDDEN } })
  for (const literal of ["{{ get_secret('hidden') }}", "{% if true %}x{% endif %}", '{{ connection.credentials.api_key }}', '{# c #}']) {
    const res = await gw.fetch('/admin/connections/literal', { method: 'PUT', headers: ADMIN, body: weatherBody(literal) })
    t.ok(res.status === 201 || res.status === 200, 'stored')
    const proxied = await gw.fetch('/proxy/literal/x', { headers: CALLER })
    t.equal(proxied.status, 200)
    await proxied.arrayBuffer()
    t.equal(upstream.last().headers['x-api-key'], literal, `${literal} arrived as typed`)
  }
  assertNoSecrets(t, [...gw.logs, ...upstream.received.map((r) => JSON.stringify(r.headers) + r.url)], [HIDDEN])
})
