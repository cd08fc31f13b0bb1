/**
 * SPEC 8.2: creating, replacing and deleting a stored connection through the admin API sends
 * connection.created, connection.updated and connection.deleted to server.events.url, signed
 * as Standard Webhooks, with exactly {connection, connector, owner, status}: never credentials.
 * A YAML connection or a refused PUT sends nothing.
 */
import t from 'tap'
import { assertNoSecrets } from '../helpers/gateway.js'
import { ADMIN, eventReceiver, SECRETS, startWebhookGateway, until, verifiedEvent, webhookConfig } from '../webhooks/harness.js'

t.test('created, updated, deleted', async (t) => {
  const receiver = await eventReceiver(t)
  const gw = await startWebhookGateway(t, webhookConfig({ receiverUrl: receiver.url }))
  const headers = { ...ADMIN, 'content-type': 'application/json' }
  const body = (secret: string, owner: string | null) => JSON.stringify({ connector: 'acme', owner, credentials: { webhook_secret: secret }, access: { callers: ['app'] } })

  t.equal((await gw.fetch('/admin/connections/acme-user', { method: 'PUT', headers, body: body('credential-one-5a1', 'user-1') })).status, 201)
  await until(() => receiver.received.length === 1, 4000, 'created')
  t.equal((await gw.fetch('/admin/connections/acme-user', { method: 'PUT', headers, body: body('credential-two-9c2', 'user-1') })).status, 200)
  await until(() => receiver.received.length === 2, 4000, 'updated')
  t.equal((await gw.fetch('/admin/connections/acme-user', { method: 'DELETE', headers: ADMIN })).status, 204)
  await until(() => receiver.received.length === 3, 4000, 'deleted')

  // Refused changes announce nothing.
  t.equal((await gw.fetch('/admin/connections/acme-main', { method: 'PUT', headers, body: body('x', null) })).status, 409)
  t.equal((await gw.fetch('/admin/connections/acme-bad', { method: 'PUT', headers, body: JSON.stringify({ connector: 'nope' }) })).status, 400)
  t.equal((await gw.fetch('/admin/connections/acme-user', { method: 'DELETE', headers: ADMIN })).status, 404)

  const events = receiver.received.map((r) => verifiedEvent(r))
  t.same(events.map((e) => e.type), ['connection.created', 'connection.updated', 'connection.deleted'])
  for (const event of events) {
    t.same(event.data, { connection: 'acme-user', connector: 'acme', owner: 'user-1', status: 'connected' }, `${event.type}: exactly the four fields`)
    t.same(Object.keys(event).sort(), ['data', 'id', 'timestamp', 'type'])
  }
  t.equal(new Set(events.map((e) => e.id)).size, 3, 'a webhook-id per event')
  await new Promise((resolve) => setTimeout(resolve, 50))
  t.equal(receiver.received.length, 3, 'nothing for the refused changes')
  assertNoSecrets(t, [...receiver.received.map((r) => r.body.toString('utf8')), ...gw.logs], ['credential-one-5a1', 'credential-two-9c2', ...Object.values(SECRETS)])
})
