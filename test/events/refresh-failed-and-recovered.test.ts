/**
 * SPEC 8.2: a refresh answered `invalid_grant` by the token endpoint sends
 * connection.refresh_failed (once: a connection already marked is not announced again), and
 * reconnecting it sends connection.updated and connection.recovered. No token in any event.
 */
import t from 'tap'
import { assertNoSecrets } from '../helpers/gateway.js'
import { CLIENT_SECRET, oauth2Config, putConnection, storedOAuth2Body } from '../helpers/oauth2-refresh.js'
import { CALLER, KEYS } from '../helpers/stored-connections.js'
import { tokenEndpoint } from '../helpers/token-endpoint.js'
import { recordingUpstream } from '../helpers/upstream.js'
import { startGateway } from '../helpers/gateway.js'
import { eventReceiver, SECRETS, until, verifiedEvent } from '../webhooks/harness.js'

t.test('refresh_failed on invalid_grant, recovered on reconnect', async (t) => {
  const idp = await tokenEndpoint(t)
  const upstream = await recordingUpstream(t)
  const receiver = await eventReceiver(t)
  const events = `events: { url: "${receiver.url}/hook", secret: "{{ get_secret('events_secret') }}" }`
  const yaml = oauth2Config({ tokenUrl: `${idp.url}/token`, upstreamUrl: upstream.url })
    .replace('server: { allow_private_upstreams: true }', `server: { allow_private_upstreams: true, ${events} }`)
  const gw = await startGateway(t, yaml, { secrets: { ...KEYS, client_secret: CLIENT_SECRET, events_secret: SECRETS.events_secret } })

  t.equal((await putConnection(gw, 'crm-1', storedOAuth2Body({ access: 'at-old-41f', refresh: 'rt-revoked-7d2', due: true }))).status, 201)
  idp.answer = () => ({ status: 400, body: { error: 'invalid_grant' } })
  t.equal((await gw.fetch('/proxy/crm-1/v1/x', { headers: CALLER })).status, 409)
  t.equal((await gw.fetch('/proxy/crm-1/v1/x', { headers: CALLER })).status, 409, 'still refused; not announced again')
  await until(() => receiver.received.length === 2, 4000, 'created and refresh_failed')

  // The user reconnects (new tokens): the connection works again.
  t.equal((await putConnection(gw, 'crm-1', storedOAuth2Body({ access: 'at-new-93b', refresh: 'rt-new-c11' }))).status, 200)
  t.equal((await gw.fetch('/proxy/crm-1/v1/x', { headers: CALLER })).status, 200)
  await until(() => receiver.received.length === 4, 4000, 'updated and recovered')
  await new Promise((resolve) => setTimeout(resolve, 50))

  const received = receiver.received.map((r) => verifiedEvent(r))
  t.same(received.map((e) => e.type), ['connection.created', 'connection.refresh_failed', 'connection.updated', 'connection.recovered'])
  t.same(received.map((e) => e.data.status), ['connected', 'refresh_failed', 'connected', 'connected'])
  for (const e of received) t.match(e.data, { connection: 'crm-1', connector: 'crm', owner: null })
  assertNoSecrets(t, [...receiver.received.map((r) => r.body.toString('utf8')), ...gw.logs],
    ['at-old-41f', 'rt-revoked-7d2', 'at-new-93b', 'rt-new-c11', CLIENT_SECRET, SECRETS.events_secret])
})
