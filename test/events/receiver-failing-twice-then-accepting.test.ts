/**
 * SPEC 8.2 retries: a receiver answering 500, then 503, then 200 gets the event three times,
 * with the same webhook-id and body and a valid signature each time, the retries on the
 * schedule (due within 5 s, then about doubling; the test's clock moves instead of waiting).
 * The metrics count two failed attempts and one delivery, and the queue is empty after.
 */
import t from 'tap'
import { ADMIN, eventReceiver, movableClock, postWebhook, pumpUntil, SECRETS, startWebhookGateway, stripeHeaders, until, verifiedEvent, webhookConfig } from '../webhooks/harness.js'

t.test('two failures, then delivered', async (t) => {
  const receiver = await eventReceiver(t)
  receiver.answers.push(500, 503)
  const clock = movableClock()
  const gw = await startWebhookGateway(t, webhookConfig({ receiverUrl: receiver.url }), { clock: clock.now })
  const body = JSON.stringify({ id: 'evt_retried', type: 'payout.paid' })
  const res = await postWebhook(gw, 'stripe-main', body, stripeHeaders(body, SECRETS.stripe_whsec))
  t.equal(res.status, 202)

  await until(() => receiver.received.length === 1, 4000, 'the first attempt')
  await pumpUntil(gw, clock, () => receiver.received.length === 2, 2_500, 'the first retry')
  await pumpUntil(gw, clock, () => receiver.received.length === 3, 2_500, 'the second retry')
  await until(() => gw.logs.some((l) => l.includes('event delivered')), 4000, 'the ack')

  const events = receiver.received.map((r) => verifiedEvent(r))
  t.equal(new Set(events.map((e) => e.id)).size, 1, 'one webhook-id across the retries')
  t.equal(new Set(receiver.received.map((r) => r.body.toString('hex'))).size, 1, 'the same body bytes each time')
  t.same(receiver.received.map((r) => r.headers['webhook-id']), events.map((e) => e.id))
  t.equal(receiver.accepted().length, 1)

  const metrics = await (await gw.fetch('/metrics', { headers: ADMIN })).text()
  t.match(metrics, /latchkey_event_deliveries_total\{result="failed"\} 2/)
  t.match(metrics, /latchkey_event_deliveries_total\{result="delivered"\} 1/)
  t.match(metrics, /latchkey_event_queue_depth 0/)
  t.match(metrics, /latchkey_event_queue_oldest_age_seconds 0/)
  const failures = gw.logs.filter((l) => l.includes('event delivery failed')).map((l) => JSON.parse(l) as { error: string, retry_in_ms: number })
  t.same(failures.map((f) => f.error), ['HTTP 500', 'HTTP 503'])
  t.ok(failures[0]!.retry_in_ms <= 5_000, 'the first retry is due within 5 s')
  t.ok(failures[1]!.retry_in_ms <= 10_000 && failures[1]!.retry_in_ms >= 5_000, 'then the delay doubles (with jitter)')
})
