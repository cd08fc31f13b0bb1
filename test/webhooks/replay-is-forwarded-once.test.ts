/**
 * SPEC 13: a repeat of the same provider event within the tolerance is acknowledged (202) and
 * forwarded once: Stripe by its body id (a fresh signature and timestamp do not make it new),
 * GitHub by X-GitHub-Delivery, a scheme without ids by its signature. With a Redis cache the
 * mark is SET NX PX beside the queue, so two gateways on one Redis forward it once as well.
 */
import t from 'tap'
import { generateMasterKey } from '../../src/secrets/master-key.js'
import { testRedis } from '../helpers/redis.js'
import { sealIntoRedis } from '../helpers/stored-connections.js'
import { acmeHeaders, eventReceiver, githubHeaders, postWebhook, SECRETS, startWebhookGateway, stripeHeaders, until, verifiedEvent, webhookConfig } from './harness.js'

t.test('the same event twice, through two gateways on one Redis, is forwarded once', async (t) => {
  const redis = await testRedis(t)
  const receiver = await eventReceiver(t)
  const yaml = webhookConfig({ receiverUrl: receiver.url, redis })
  const env = { LATCHKEY_MASTER_KEY: generateMasterKey() }
  await sealIntoRedis(redis, env.LATCHKEY_MASTER_KEY, SECRETS)
  const a = await startWebhookGateway(t, yaml, { env })
  const b = await startWebhookGateway(t, yaml, { env })

  const stripeBody = JSON.stringify({ id: 'evt_replayed', type: 'invoice.paid' })
  const githubBody = JSON.stringify({ zen: 'Keep it logically awesome.' })
  const acmeBody = 'acme event'
  const now = Math.floor(Date.now() / 1000)
  const answers = [
    await postWebhook(a, 'stripe-main', stripeBody, stripeHeaders(stripeBody, SECRETS.stripe_whsec, now - 5)),
    await postWebhook(b, 'stripe-main', stripeBody, stripeHeaders(stripeBody, SECRETS.stripe_whsec, now)),
    await postWebhook(a, 'github-main', githubBody, await githubHeaders(githubBody, SECRETS.github_secret, 'delivery-1')),
    await postWebhook(b, 'github-main', githubBody, await githubHeaders(githubBody, SECRETS.github_secret, 'delivery-1')),
    await postWebhook(a, 'acme-main', acmeBody, acmeHeaders(acmeBody, SECRETS.acme_secret)),
    await postWebhook(a, 'acme-main', acmeBody, acmeHeaders(acmeBody, SECRETS.acme_secret)),
  ]
  const bodies = await Promise.all(answers.map(async (r) => ({ status: r.status, body: await r.json() as { status: string } })))
  t.same(bodies.map((b) => b.status), [202, 202, 202, 202, 202, 202], 'every delivery is acknowledged')
  t.same(bodies.map((b) => b.body.status), ['queued', 'duplicate', 'queued', 'duplicate', 'queued', 'duplicate'])

  // Another GitHub delivery of the same body is a new event.
  t.equal((await postWebhook(b, 'github-main', githubBody, await githubHeaders(githubBody, SECRETS.github_secret, 'delivery-2'))).status, 202)
  await until(() => receiver.received.length >= 4, 4000, 'four events')
  await new Promise((resolve) => setTimeout(resolve, 100))
  const events = receiver.received.map((r) => verifiedEvent(r))
  t.equal(events.length, 4, 'each provider event forwarded once')
  t.equal(events.filter((e) => e.data.connection === 'stripe-main').length, 1)
  t.same(events.filter((e) => e.data.connection === 'github-main').map((e) => (e.data.headers as Record<string, string>)['x-github-delivery']).sort(), ['delivery-1', 'delivery-2'])
  const marks = await redis.client.keys(`${redis.prefix}{events}:seen:*`)
  t.equal(marks.length, 4, 'one dedupe mark per event, under the {events} hash tag')
  const ttl = await redis.client.pttl(marks[0]!)
  t.ok(ttl > 0 && ttl <= 300_000, 'marks expire with the tolerance')
})
