/**
 * SPEC 13, Asana's X-Hook-Secret handshake (verify.handshake hook_secret): nobody on the
 * internet can set or replace a connection's webhook secret. Without an armed window, with a
 * wrong or missing nonce, after the window ended, or a second time, the handshake is 401 and
 * nothing is stored; a non-admin cannot arm one. The armed one-time URL takes exactly one
 * handshake, echoed with 200; the secret it carried is sealed in the store (never plain in
 * Redis) and verifies X-Hook-Signature deliveries, which are then forwarded (a wrong one 401).
 * DELETE forgets it: deliveries are refused again.
 */
import { createHmac, randomBytes } from 'node:crypto'
import t from 'tap'
import { generateMasterKey } from '../../src/secrets/master-key.js'
import { assertNoSecrets } from '../helpers/gateway.js'
import { testRedis } from '../helpers/redis.js'
import { sealIntoRedis } from '../helpers/stored-connections.js'
import { ADMIN, catalogWebhookConfig, eventReceiver, movableClock, postWebhook, PUBLIC_URL, SECRETS, startWebhookGateway, until, verifiedEvent } from '../webhooks/harness.js'

const sign = (secret: string, body: string) => createHmac('sha256', secret).update(body).digest('hex')

t.test('an Asana hook secret is taken only through an armed one-time handshake', async (t) => {
  const redis = await testRedis(t)
  const receiver = await eventReceiver(t)
  const clock = movableClock()
  // The store in Redis, so what it holds can be read back raw.
  const env = { LATCHKEY_MASTER_KEY: generateMasterKey() }
  await sealIntoRedis(redis, env.LATCHKEY_MASTER_KEY, SECRETS)
  const gw = await startWebhookGateway(t, catalogWebhookConfig({ receiverUrl: receiver.url, redis }), { clock: clock.now, env })
  const answers: string[] = []
  const handshake = async (query: string, secret: string) => {
    const res = await gw.fetch(`/webhooks/asana-main${query}`, { method: 'POST', headers: { 'x-hook-secret': secret }, body: '' })
    answers.push(await res.text())
    return res
  }
  const attacker = randomBytes(32).toString('hex')
  const events = JSON.stringify({ events: [{ action: 'changed', resource: { gid: '1201', resource_type: 'task' }, user: { gid: '42' }, created_at: '2026-05-20T10:00:00.000Z' }] })

  // Nothing armed: a handshake sets nothing, and deliveries have no secret to match.
  t.equal((await handshake('', attacker)).status, 401, 'unarmed handshake: 401')
  t.equal((await handshake('?handshake=guess', attacker)).status, 401, 'unarmed handshake with a nonce: 401')
  const early = await postWebhook(gw, 'asana-main', events, { 'content-type': 'application/json', 'x-hook-signature': sign(attacker, events) })
  t.equal(early.status, 401, 'a delivery signed with the offered secret: 401')
  await early.text()

  // Only an admin arms.
  const byCaller = await gw.fetch('/admin/webhooks/asana-main/handshake', { method: 'POST', headers: { 'x-latchkey-key': SECRETS.caller_key } })
  t.equal(byCaller.status, 403, 'a non-admin key cannot arm')
  const anonymous = await gw.fetch('/admin/webhooks/asana-main/handshake', { method: 'POST' })
  t.equal(anonymous.status, 401, 'nobody without a key can arm')
  const notHook = await gw.fetch('/admin/webhooks/gitlab-main/handshake', { method: 'POST', headers: ADMIN })
  t.equal(notHook.status, 400, 'a connection without hook_secret cannot be armed')
  t.equal((await gw.fetch('/admin/webhooks/no-such/handshake', { method: 'POST', headers: ADMIN })).status, 404)

  const armed = await gw.fetch('/admin/webhooks/asana-main/handshake', { method: 'POST', headers: ADMIN })
  t.equal(armed.status, 201, 'armed')
  t.equal(armed.headers.get('cache-control'), 'no-store')
  const { url, expires_at: expiresAt } = await armed.json() as { url: string, expires_at: string }
  t.match(url, new RegExp(`^${PUBLIC_URL}/webhooks/asana-main\\?handshake=[A-Za-z0-9_-]{43}$`), 'a one-time URL under the public URL')
  t.ok(Date.parse(expiresAt) > clock.now(), 'an expiry')
  const query = url.slice(url.indexOf('?'))
  const nonce = query.slice('?handshake='.length)

  // Armed, but without the nonce (or with another): still nothing, and the window stays open.
  t.equal((await handshake('', attacker)).status, 401, 'armed, no nonce: 401')
  // Another last character: with a fixed 'A', one nonce in 64 already ends in it and was no wrong nonce at all.
  const wrongNonce = nonce.slice(0, -1) + (nonce.endsWith('A') ? 'B' : 'A')
  t.equal((await handshake(`?handshake=${wrongNonce}`, attacker)).status, 401, 'armed, wrong nonce: 401')
  t.equal((await handshake(query, 'short')).status, 401, 'armed, a secret too short to be a key: 401')

  const asanaSecret = randomBytes(32).toString('hex')
  const ok = await handshake(query, asanaSecret)
  t.equal(ok.status, 200, 'the armed handshake: 200')
  t.equal(ok.headers.get('x-hook-secret'), asanaSecret, 'X-Hook-Secret echoed')

  // Consumed: the same URL cannot replace the secret, nor can anyone else.
  t.equal((await handshake(query, attacker)).status, 401, 'a second handshake on the same URL: 401')
  t.equal((await handshake('', attacker)).status, 401, 'a later handshake without a window: 401')

  // Sealed: neither the secret nor the nonce is anywhere in Redis as plain text.
  const keys = await redis.client.keys(`${redis.prefix}*`)
  let dump = ''
  for (const key of keys) {
    const type = await redis.client.type(key)
    if (type === 'hash') dump += JSON.stringify(await redis.client.hgetall(key))
    else if (type === 'string') dump += await redis.client.get(key)
  }
  t.ok(dump.length > 0, 'the store is in Redis')
  t.notOk(dump.includes(asanaSecret), 'the captured secret is not in Redis as plain text')
  t.notOk(dump.includes(nonce), 'nor is the nonce')

  // The captured secret verifies deliveries; the attacker's does not.
  const wrong = await postWebhook(gw, 'asana-main', events, { 'content-type': 'application/json', 'x-hook-signature': sign(attacker, events) })
  t.equal(wrong.status, 401, 'signed with the offered-but-refused secret: 401')
  answers.push(await wrong.text())
  const good = await postWebhook(gw, 'asana-main', events, { 'content-type': 'application/json', 'x-hook-signature': sign(asanaSecret, events) })
  t.equal(good.status, 202, 'signed with the captured secret: 202')
  answers.push(await good.text())
  await until(() => receiver.received.length === 1, 4000, 'the asana event')
  const event = verifiedEvent(receiver.received[0]!)
  t.match(event.data, { connection: 'asana-main', connector: 'asana', body: events, headers: { 'content-type': 'application/json' } })

  // A window left unused ends: re-armed, then past its expiry, the nonce takes nothing.
  const again = await (await gw.fetch('/admin/webhooks/asana-main/handshake', { method: 'POST', headers: ADMIN })).json() as { url: string }
  clock.advance(11 * 60_000)
  t.equal((await handshake(again.url.slice(again.url.indexOf('?')), attacker)).status, 401, 'an expired window: 401')
  const still = await postWebhook(gw, 'asana-main', events.replace('changed', 'added'), { 'content-type': 'application/json', 'x-hook-signature': sign(asanaSecret, events.replace('changed', 'added')) })
  t.equal(still.status, 202, 'the captured secret still stands')
  await still.text()

  // Forgotten by an admin: deliveries are refused until the next armed handshake.
  const forget = await gw.fetch('/admin/webhooks/asana-main/secret', { method: 'DELETE', headers: ADMIN })
  t.same(await forget.json(), { connection: 'asana-main', removed: true })
  const after = await postWebhook(gw, 'asana-main', events, { 'content-type': 'application/json', 'x-hook-signature': sign(asanaSecret, events) })
  t.equal(after.status, 401, 'after DELETE: 401')
  await after.text()

  const captured = gw.logs.filter((l) => l.includes('webhook secret captured'))
  t.equal(captured.length, 1, 'one capture, logged')
  assertNoSecrets(t, [...gw.logs, ...answers.filter((a) => a !== '')], [...Object.values(SECRETS), asanaSecret, attacker, nonce])
})
