/**
 * SPEC 13, fails closed: every bad signature form is 401 webhook_signature_invalid (an unknown
 * connection 404) and nothing is forwarded; the refusals name no secret or signature, in the
 * answer or the log. A valid webhook sent last proves the receiver was listening throughout.
 */
import { createHmac } from 'node:crypto'
import t from 'tap'
import { assertNoSecrets } from '../helpers/gateway.js'
import {
  acmeHeaders, eventReceiver, githubHeaders, postWebhook, SECRETS, shopifyHeaders, slackHeaders, standardHeaders,
  startWebhookGateway, stripeHeaders, until, webhookConfig,
} from '../webhooks/harness.js'

t.test('wrong, missing, tampered, stale, future and foreign signatures are refused', async (t) => {
  const receiver = await eventReceiver(t)
  const gw = await startWebhookGateway(t, webhookConfig({ receiverUrl: receiver.url }))
  const body = JSON.stringify({ id: 'evt_refused', type: 'charge.succeeded' })
  const flipped = body.replace('charge', 'chargf')
  const now = Math.floor(Date.now() / 1000)
  const without = (headers: Record<string, string>, name: string) => Object.fromEntries(Object.entries(headers).filter(([k]) => k !== name))

  const cases: Array<[string, string, string, Record<string, string>]> = [
    ['stripe: wrong secret', 'stripe-main', body, stripeHeaders(body, 'whsec_d3Jvbmc=')],
    ['stripe: flipped body byte', 'stripe-main', flipped, stripeHeaders(body, SECRETS.stripe_whsec)],
    ['stripe: missing header', 'stripe-main', body, without(stripeHeaders(body, SECRETS.stripe_whsec), 'stripe-signature')],
    ['stripe: stale timestamp', 'stripe-main', body, stripeHeaders(body, SECRETS.stripe_whsec, now - 400)],
    ['stripe: future timestamp', 'stripe-main', body, stripeHeaders(body, SECRETS.stripe_whsec, now + 400)],
    ['stripe: another connection\'s secret', 'stripe-main', body, stripeHeaders(body, SECRETS.stripe_whsec_other)],
    ['stripe: v0 only', 'stripe-main', body, { 'stripe-signature': stripeHeaders(body, SECRETS.stripe_whsec)['stripe-signature']!.replace('v1=', 'v0=') }],
    ['stripe: no webhook secret on the connection', 'stripe-nosecret', body, stripeHeaders(body, SECRETS.stripe_whsec)],
    ['github: wrong secret', 'github-main', body, await githubHeaders(body, 'not-the-secret', 'g1')],
    ['github: flipped body byte', 'github-main', flipped, await githubHeaders(body, SECRETS.github_secret, 'g2')],
    ['github: sha1 header only', 'github-main', body, { 'x-hub-signature': `sha1=${createHmac('sha1', SECRETS.github_secret).update(body).digest('hex')}` }],
    ['github: truncated signature', 'github-main', body, { 'x-hub-signature-256': (await githubHeaders(body, SECRETS.github_secret, 'g3'))['x-hub-signature-256']!.slice(0, 20) }],
    ['slack: stale timestamp', 'slack-main', body, slackHeaders(body, SECRETS.slack_secret, now - 600)],
    ['slack: future timestamp', 'slack-main', body, slackHeaders(body, SECRETS.slack_secret, now + 600)],
    ['slack: timestamp swapped after signing', 'slack-main', body, { ...slackHeaders(body, SECRETS.slack_secret, now - 10), 'x-slack-request-timestamp': String(now) }],
    ['slack: missing timestamp', 'slack-main', body, without(slackHeaders(body, SECRETS.slack_secret), 'x-slack-request-timestamp')],
    ['shopify: wrong secret', 'shopify-main', body, shopifyHeaders(body, 'shpss_other', 'w1')],
    ['shopify: flipped body byte', 'shopify-main', flipped, shopifyHeaders(body, SECRETS.shopify_secret, 'w2')],
    ['standard: stale timestamp', 'std-main', body, standardHeaders(body, SECRETS.standard_secret, 'msg_1', new Date(Date.now() - 400_000))],
    ['standard: future timestamp', 'std-main', body, standardHeaders(body, SECRETS.standard_secret, 'msg_2', new Date(Date.now() + 400_000))],
    ['standard: id changed after signing', 'std-main', body, { ...standardHeaders(body, SECRETS.standard_secret, 'msg_3'), 'webhook-id': 'msg_4' }],
    ['hmac: missing header', 'acme-main', body, without(acmeHeaders(body, SECRETS.acme_secret), 'x-acme-signature')],
    ['hmac: without its prefix', 'acme-main', body, { 'x-acme-signature': acmeHeaders(body, SECRETS.acme_secret)['x-acme-signature']!.slice('sha256='.length) }],
    ['hmac: sent twice', 'acme-main', body, {}],
    ['connector without webhooks', 'plain-main', body, stripeHeaders(body, SECRETS.stripe_whsec)],
  ]
  const answers: string[] = []
  for (const [name, connection, sentBody, headers] of cases) {
    const init: RequestInit = name === 'hmac: sent twice'
      ? { method: 'POST', body: sentBody, headers: [['x-acme-signature', acmeHeaders(body, SECRETS.acme_secret)['x-acme-signature']!], ['x-acme-signature', 'sha256=00']] }
      : { method: 'POST', body: sentBody, headers }
    const res = await gw.fetch(`/webhooks/${connection}`, init)
    const text = await res.text()
    answers.push(text)
    t.equal(res.status, 401, `${name}: 401`)
    t.equal(JSON.parse(text).error.code, 'webhook_signature_invalid', `${name}: webhook_signature_invalid`)
  }
  const unknown = await postWebhook(gw, 'no-such-connection', body, stripeHeaders(body, SECRETS.stripe_whsec))
  t.equal(unknown.status, 404)
  t.equal((await unknown.json() as { error: { code: string } }).error.code, 'connection_not_found')
  const badId = await postWebhook(gw, 'UPPER..', body, {})
  t.equal(badId.status, 404, 'an id that cannot exist is 404 too')
  const get = await gw.fetch('/webhooks/stripe-main')
  t.equal(get.status, 405, 'GET is not a webhook')

  // The same event, signed right: the only one the receiver ever sees.
  const ok = await postWebhook(gw, 'stripe-main', body, stripeHeaders(body, SECRETS.stripe_whsec))
  t.equal(ok.status, 202)
  await until(() => receiver.received.length === 1, 4000, 'the valid webhook')
  await new Promise((resolve) => setImmediate(resolve))
  t.equal(receiver.received.length, 1, 'nothing refused was forwarded')
  t.equal((await gw.gateway.events.queue.stats(Date.now())).depth, 0, 'and nothing is left queued')

  const refusedLogs = gw.logs.filter((l) => l.includes('webhook refused'))
  t.equal(refusedLogs.length, cases.length, 'each refusal is logged once, with its reason')
  assertNoSecrets(t, [...gw.logs, ...answers], Object.values(SECRETS))
})
