/**
 * SPEC 8.2 dead letters: an event that keeps failing for 24 hours is buried; GET
 * /admin/events/dead lists it (what and why: no body, no signature, no secret) to admin keys
 * only, and POST /admin/events/dead/:id/retry delivers it again with the same webhook-id.
 */
import t from 'tap'
import { assertNoSecrets } from '../helpers/gateway.js'
import { ADMIN, eventReceiver, movableClock, postWebhook, pumpUntil, SECRETS, startWebhookGateway, stripeHeaders, until, webhookConfig } from '../webhooks/harness.js'

t.test('buried after 24 h of failures, listed, re-queued', async (t) => {
  const receiver = await eventReceiver(t)
  receiver.answers.push(...new Array<number>(100).fill(500))
  const clock = movableClock()
  const gw = await startWebhookGateway(t, webhookConfig({ receiverUrl: receiver.url }), { clock: clock.now })
  const body = JSON.stringify({ id: 'evt_dead', type: 'charge.failed', secret_note: 'payload stays out of listings' })
  t.equal((await postWebhook(gw, 'stripe-main', body, stripeHeaders(body, SECRETS.stripe_whsec))).status, 202)
  await until(() => receiver.received.length === 1, 4000, 'the first attempt')
  // An hour a step: the capped back-off, until the 24 h window is over.
  await pumpUntil(gw, clock, () => gw.logs.some((l) => l.includes('moved to the dead letters')), 3_600_000, 'the burial')
  const attempts = receiver.received.length
  t.ok(attempts >= 2, `retried (${attempts} attempts)`)

  const anonymous = await gw.fetch('/admin/events/dead')
  t.equal(anonymous.status, 401)
  const caller = await gw.fetch('/admin/events/dead', { headers: { 'x-latchkey-key': SECRETS.caller_key } })
  t.equal(caller.status, 403)
  const listing = await gw.fetch('/admin/events/dead', { headers: ADMIN })
  t.equal(listing.status, 200)
  const text = await listing.text()
  const { events } = JSON.parse(text) as { events: Array<Record<string, unknown>> }
  t.equal(events.length, 1)
  t.match(events[0], { id: /^evt_[0-9a-f]{32}$/, type: 'webhook.received', connection: 'stripe-main', attempts, last_error: 'HTTP 500' })
  t.same(Object.keys(events[0]!).sort(), ['attempts', 'connection', 'created_at', 'dead_at', 'id', 'last_error', 'type'])
  t.ok(Date.parse(events[0]!.dead_at as string) - Date.parse(events[0]!.created_at as string) >= 24 * 3_600_000, 'buried only after 24 h of failures')
  t.notMatch(text, /payload stays out|evt_dead|v1,|stripe-signature/i, 'no body or signature in the listing')
  const depth = await (await gw.fetch('/metrics', { headers: ADMIN })).text()
  t.match(depth, /latchkey_event_deliveries_total\{result="dead"\} 1/)
  t.match(depth, /latchkey_event_queue_depth 0/, 'a dead letter is not queue depth')

  receiver.answers.length = 0
  const id = events[0]!.id as string
  t.equal((await gw.fetch(`/admin/events/dead/${id}/retry`, { method: 'POST', headers: { 'x-latchkey-key': SECRETS.caller_key } })).status, 403)
  const retried = await gw.fetch(`/admin/events/dead/${id}/retry`, { method: 'POST', headers: ADMIN })
  t.equal(retried.status, 202)
  await until(() => receiver.accepted().length === 1, 4000, 'the re-queued delivery')
  // The gateway's clock is a day ahead, past standardwebhooks' tolerance: ids compared directly.
  const delivered = receiver.accepted()[0]!
  t.equal(delivered.headers['webhook-id'], id, 'the same webhook-id')
  t.equal((JSON.parse(delivered.body.toString('utf8')) as { id: string }).id, id)
  t.equal((await gw.fetch(`/admin/events/dead/${id}/retry`, { method: 'POST', headers: ADMIN })).status, 404, 'no longer a dead letter')
  t.equal((await gw.fetch('/admin/events/dead/evt_00000000000000000000000000000000/retry', { method: 'POST', headers: ADMIN })).status, 404)
  t.equal((await gw.fetch('/admin/events/dead/../retry', { method: 'POST', headers: ADMIN })).status, 404)
  t.same((JSON.parse(await (await gw.fetch('/admin/events/dead', { headers: ADMIN })).text()) as { events: unknown[] }).events, [])
  assertNoSecrets(t, [...gw.logs, text], Object.values(SECRETS))
})
