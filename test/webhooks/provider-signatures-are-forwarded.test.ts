/**
 * SPEC 13: a webhook signed by each provider's own library (Stripe, GitHub) or documented
 * algorithm (Slack, Shopify, Standard Webhooks, a generic HMAC) is answered 202 and reaches
 * server.events.url as `webhook.received`: connection, connector, content-type and the
 * provider's event headers (never its signature), the body as sent, signed as Standard
 * Webhooks (checked with the `standardwebhooks` package).
 */
import { randomBytes } from 'node:crypto'
import t from 'tap'
import { assertNoSecrets } from '../helpers/gateway.js'
import {
  acmeHeaders, eventReceiver, githubHeaders, postWebhook, SECRETS, shopifyHeaders, slackHeaders, standardHeaders,
  startWebhookGateway, stripeHeaders, until, verifiedEvent, webhookConfig,
} from './harness.js'

t.test('each verifier type accepts its provider\'s signature and forwards the event', async (t) => {
  const receiver = await eventReceiver(t)
  const gw = await startWebhookGateway(t, webhookConfig({ receiverUrl: receiver.url }))
  const stripeBody = JSON.stringify({ id: 'evt_1Nabc', type: 'invoice.paid', data: { object: { amount: 1200 } } })
  const githubBody = JSON.stringify({ ref: 'refs/heads/main', commits: [] })
  const slackBody = JSON.stringify({ type: 'event_callback', event_id: 'Ev0123', event: { type: 'message', text: 'héllo' } })
  const shopifyBody = JSON.stringify({ id: 820982911946154500, total_price: '9.99' })
  const standardBody = JSON.stringify({ type: 'user.created', data: { id: 7 } })
  const acmeBody = Buffer.from([0x00, 0x7b, 0x22, 0xff, 0x0a]) // bytes that are not JSON nor UTF-8

  const sent = [
    { connection: 'stripe-main', connector: 'stripe', body: stripeBody, headers: stripeHeaders(stripeBody, SECRETS.stripe_whsec), event: {} },
    { connection: 'github-main', connector: 'github', body: githubBody, headers: await githubHeaders(githubBody, SECRETS.github_secret, 'd1e2-guid'), event: { 'x-github-event': 'push', 'x-github-delivery': 'd1e2-guid' } },
    { connection: 'slack-main', connector: 'slack', body: slackBody, headers: slackHeaders(slackBody, SECRETS.slack_secret), event: {} },
    { connection: 'shopify-main', connector: 'shopify', body: shopifyBody, headers: shopifyHeaders(shopifyBody, SECRETS.shopify_secret, 'wh-1'), event: { 'x-shopify-topic': 'orders/create', 'x-shopify-shop-domain': 'acme.myshopify.com', 'x-shopify-webhook-id': 'wh-1' } },
    { connection: 'std-main', connector: 'std', body: standardBody, headers: standardHeaders(standardBody, SECRETS.standard_secret, `msg_${randomBytes(6).toString('hex')}`), event: {} },
    { connection: 'acme-main', connector: 'acme', body: acmeBody, headers: acmeHeaders(acmeBody, SECRETS.acme_secret), event: {} },
  ]
  const answers: string[] = []
  for (const s of sent) {
    const res = await postWebhook(gw, s.connection, s.body, s.headers)
    const text = await res.text()
    answers.push(text)
    t.equal(res.status, 202, `${s.connection}: 202`)
    t.match(JSON.parse(text), { status: 'queued', id: /^evt_[0-9a-f]{32}$/ })
  }
  await until(() => receiver.received.length === sent.length, 4000, 'every event delivered')

  const events = receiver.received.map((r) => verifiedEvent(r))
  for (const s of sent) {
    const event = events.find((e) => e.data.connection === s.connection)
    t.ok(event, `${s.connection}: forwarded`)
    if (event === undefined) continue
    t.equal(event.type, 'webhook.received')
    t.match(event.timestamp, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/, 'ISO 8601 timestamp')
    t.equal(event.data.connector, s.connector)
    t.equal(event.data.body, Buffer.from(s.body).toString('utf8'), `${s.connection}: the body as text`)
    const headers = { 'content-type': s.headers['content-type'], ...s.event }
    if (s.connector === 'std') Object.assign(headers, { 'webhook-id': s.headers['webhook-id'] })
    t.same(event.data.headers, headers, `${s.connection}: content-type and the provider's event headers only`)
  }
  for (const r of receiver.received) {
    t.equal(r.method, 'POST')
    t.equal(r.url, '/events')
    t.equal(r.headers['content-type'], 'application/json')
    t.match(r.headers['webhook-signature'], /^v1,[A-Za-z0-9+/]+=*$/)
  }
  const signatures = sent.flatMap((s) => Object.entries(s.headers).filter(([k]) => /signature|hmac/.test(k)).map(([, v]) => v))
  assertNoSecrets(t, [...gw.logs, ...answers, ...receiver.received.map((r) => r.body.toString('utf8'))],
    [...Object.values(SECRETS), ...signatures.flatMap((v) => v.split(/[=,\s]/).filter((piece) => piece.length >= 20))])
})
