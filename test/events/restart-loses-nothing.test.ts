/**
 * SPEC 8.2 with a Redis cache: a gateway that stops while the receiver is down loses nothing,
 * and the next gateway on the same Redis delivers what was queued, a lifecycle event and a
 * webhook alike, while an event acknowledged before the restart is not delivered again.
 */
import t from 'tap'
import { generateMasterKey } from '../../src/secrets/master-key.js'
import { testRedis } from '../helpers/redis.js'
import { sealIntoRedis } from '../helpers/stored-connections.js'
import { ADMIN, eventReceiver, movableClock, postWebhook, pumpUntil, SECRETS, startWebhookGateway, stripeHeaders, until, verifiedEvent, webhookConfig } from '../webhooks/harness.js'

t.test('queued while the receiver is down, delivered by the next gateway', async (t) => {
  const redis = await testRedis(t)
  const receiver = await eventReceiver(t)
  const clock = movableClock()
  const yaml = webhookConfig({ receiverUrl: receiver.url, redis })
  const env = { LATCHKEY_MASTER_KEY: generateMasterKey() }
  await sealIntoRedis(redis, env.LATCHKEY_MASTER_KEY, SECRETS)

  const first = await startWebhookGateway(t, yaml, { env, clock: clock.now })
  const delivered = JSON.stringify({ id: 'evt_before', type: 'invoice.created' })
  t.equal((await postWebhook(first, 'stripe-main', delivered, stripeHeaders(delivered, SECRETS.stripe_whsec))).status, 202)
  await until(() => receiver.accepted().length === 1, 4000, 'the first event')
  await until(() => first.logs.some((l) => l.includes('event delivered')), 4000, 'its ack')

  receiver.answers.push(...new Array<number>(50).fill(503))
  const put = await first.fetch('/admin/connections/acme-stored', {
    method: 'PUT',
    headers: { ...ADMIN, 'content-type': 'application/json' },
    body: JSON.stringify({ connector: 'acme', credentials: { webhook_secret: 'stored-secret-1234' }, access: { callers: ['app'] } }),
  })
  t.equal(put.status, 201)
  const queued = JSON.stringify({ id: 'evt_during', type: 'invoice.paid' })
  t.equal((await postWebhook(first, 'stripe-main', queued, stripeHeaders(queued, SECRETS.stripe_whsec))).status, 202)
  await until(() => receiver.received.length === 3, 4000, 'both attempted and refused')
  await until(() => first.logs.filter((l) => l.includes('event delivery failed')).length === 2, 4000, 'both rescheduled')
  await first.close()
  t.equal(await redis.client.zcard(`${redis.prefix}{events}:due`), 2, 'two events wait in Redis')

  receiver.answers.length = 0
  const second = await startWebhookGateway(t, yaml, { env, clock: clock.now })
  await pumpUntil(second, clock, () => receiver.accepted().length === 3, 5_000, 'delivery after the restart')
  await until(() => second.logs.filter((l) => l.includes('event delivered')).length === 2, 4000, 'the acks')

  const accepted = receiver.accepted().map((r) => verifiedEvent(r))
  t.same(accepted.map((e) => e.type).sort(), ['connection.created', 'webhook.received', 'webhook.received'])
  t.same(accepted.filter((e) => e.type === 'webhook.received').map((e) => JSON.parse(e.data.body as string).id), ['evt_before', 'evt_during'],
    'the acknowledged event is not delivered again')
  t.same(accepted.find((e) => e.type === 'connection.created')?.data, { connection: 'acme-stored', connector: 'acme', owner: null, status: 'connected' })
  t.notMatch(receiver.received.map((r) => r.body.toString('utf8')).join('\n'), /stored-secret-1234/, 'no credential in any event')
  t.equal(await redis.client.zcard(`${redis.prefix}{events}:due`), 0, 'nothing left queued')
})
