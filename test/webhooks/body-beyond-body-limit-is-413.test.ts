/**
 * SPEC 13: the raw body of a webhook is bounded by server.body_limit: beyond it, 413
 * payload_too_large (declared or streamed), and nothing is queued.
 */
import t from 'tap'
import { eventReceiver, postWebhook, SECRETS, startWebhookGateway, stripeHeaders, until, webhookConfig } from './harness.js'

t.test('413 beyond body_limit', async (t) => {
  const receiver = await eventReceiver(t)
  const gw = await startWebhookGateway(t, webhookConfig({ receiverUrl: receiver.url, server: '  body_limit: 1kb' }))
  const big = JSON.stringify({ id: 'evt_big', pad: 'x'.repeat(2000) })
  const res = await postWebhook(gw, 'stripe-main', big, stripeHeaders(big, SECRETS.stripe_whsec))
  t.equal(res.status, 413)
  t.equal((await res.json() as { error: { code: string } }).error.code, 'payload_too_large')

  // Streamed without a length: cut off at the limit too.
  const chunks = [Buffer.from(big.slice(0, 900)), Buffer.from(big.slice(900))]
  const stream = new ReadableStream({ pull (c) { const next = chunks.shift(); if (next === undefined) c.close(); else c.enqueue(next) } })
  const streamed = await gw.fetch('/webhooks/stripe-main', { method: 'POST', headers: stripeHeaders(big, SECRETS.stripe_whsec), body: stream, duplex: 'half' } as RequestInit)
  t.equal(streamed.status, 413)

  const small = JSON.stringify({ id: 'evt_small' })
  t.equal((await postWebhook(gw, 'stripe-main', small, stripeHeaders(small, SECRETS.stripe_whsec))).status, 202)
  await until(() => receiver.received.length === 1, 4000, 'the small one')
  t.equal(JSON.parse(JSON.parse(receiver.received[0]!.body.toString('utf8')).data.body).id, 'evt_small', 'only the one within the limit')
})
