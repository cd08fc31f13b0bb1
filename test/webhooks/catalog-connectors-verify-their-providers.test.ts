/**
 * SPEC 13, the catalog's zoom, calendly, twilio (form and JSON bodies), trello, gitlab,
 * microsoft-teams, monday and figma: a delivery shaped and signed as each provider documents
 * is answered 202 and forwarded as `webhook.received` (a secret carried in the body removed
 * first); the same delivery signed wrongly, tampered or stale is 401 webhook_signature_invalid
 * and nothing of it is forwarded. Asana, whose secret comes from a handshake, is in
 * test/security/webhook-handshake-cannot-set-secret.test.ts.
 */
import { createHash } from 'node:crypto'
import { SignJWT } from 'jose'
import t from 'tap'
import { assertNoSecrets } from '../helpers/gateway.js'
import {
  calendlyHeaders, catalogWebhookConfig, eventReceiver, postWebhook, PUBLIC_URL, SECRETS, startWebhookGateway,
  trelloSignature, twilioSignature, until, verifiedEvent, zoomHeaders,
} from './harness.js'

interface Delivery {
  name: string
  connection: string
  /** Path and query after /webhooks/<connection>. */
  query?: string
  body: string
  headers: Record<string, string>
}

const now = () => Math.floor(Date.now() / 1000)
const FORM = 'application/x-www-form-urlencoded'

async function mondayJwt (secret: string, options: { alg?: string, expSeconds?: number, iatSeconds?: number } = {}): Promise<string> {
  const iat = options.iatSeconds ?? now()
  return new SignJWT({ accountId: 1825528, userId: 4012689, shortLivedToken: 'slt-not-a-secret-here' })
    .setProtectedHeader({ alg: options.alg ?? 'HS256', typ: 'JWT' })
    .setAudience(`${PUBLIC_URL}/webhooks/monday-main`)
    .setIssuedAt(iat)
    .setExpirationTime(iat + (options.expSeconds ?? 300))
    .sign(new TextEncoder().encode(secret))
}

function unsignedJwt (): string {
  const part = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url')
  return `${part({ alg: 'none', typ: 'JWT' })}.${part({ accountId: 1, exp: now() + 300, iat: now() })}.`
}

t.test('each catalog connector forwards its provider\'s signed delivery and refuses a wrong one', async (t) => {
  const receiver = await eventReceiver(t)
  const gw = await startWebhookGateway(t, catalogWebhookConfig({ receiverUrl: receiver.url }))

  const zoomBody = JSON.stringify({ event: 'meeting.started', event_ts: Date.now(), payload: { account_id: 'AAAAAA', object: { id: '85746065', topic: 'Standup', host_id: 'z8yAAAAA' } } })
  const calendlyBody = JSON.stringify({ created_at: '2026-05-20T10:00:00.000000Z', created_by: 'https://api.calendly.com/users/AAAA', event: 'invitee.created', payload: { email: 'ada@example.com', uri: 'https://api.calendly.com/scheduled_events/EE/invitees/II' } })
  const twilioParams = { AccountSid: 'AC0123456789abcdef0123456789abcdef', Body: 'Héllo + world & co', From: '+15017122661', MessageSid: 'SM0123456789abcdef0123456789abcdef', To: '+15558675310' }
  const twilioForm = new URLSearchParams(twilioParams).toString()
  const twilioJson = JSON.stringify({ ParentAccountSid: 'AC0123456789abcdef0123456789abcdef', Payload: { Sid: 'NO1' } })
  const twilioJsonQuery = `?bodySHA256=${createHash('sha256').update(twilioJson).digest('hex')}`
  const trelloBody = JSON.stringify({ action: { id: '5f1e7d0000000000000000aa', type: 'updateCard', data: { card: { id: 'c1', name: 'Ship it' } } }, model: { id: 'b1', name: 'Board' } })
  const gitlabBody = JSON.stringify({ object_kind: 'push', ref: 'refs/heads/main', project: { path_with_namespace: 'acme/app' } })
  const teamsBody = JSON.stringify({ value: [{ subscriptionId: 'sub-1', clientState: SECRETS.teams_state, changeType: 'created', resource: "teams('t1')/channels('c1')/messages('m1')", tenantId: 'tid' }] })
  const teamsForged = JSON.stringify({ value: [{ subscriptionId: 'sub-1', clientState: SECRETS.teams_state, changeType: 'created' }, { subscriptionId: 'sub-2', clientState: 'guessed', changeType: 'deleted' }] })
  const mondayBody = JSON.stringify({ event: { app: 'monday', type: 'create_pulse', triggerTime: '2026-05-20T10:00:00.000Z', subscriptionId: 73759690, triggerUuid: 'b5ed2e17c530f43668de130142445cba', boardId: 1771812698, pulseId: 1772099344 } })
  const figmaBody = JSON.stringify({ event_type: 'FILE_UPDATE', file_key: 'zYxWvUtS', file_name: 'Design system', passcode: SECRETS.figma_passcode, timestamp: '2026-05-20T10:00:00Z', webhook_id: '22' })
  const twilioUrl = `${PUBLIC_URL}/webhooks/twilio-main`
  const trelloUrl = `${PUBLIC_URL}/webhooks/trello-main`

  const good: Array<Delivery & { connector: string, forwarded: string, event?: Record<string, string> }> = [
    { name: 'zoom', connection: 'zoom-main', connector: 'zoom', body: zoomBody, headers: zoomHeaders(zoomBody, SECRETS.zoom_secret), forwarded: zoomBody },
    { name: 'calendly', connection: 'calendly-main', connector: 'calendly', body: calendlyBody, headers: calendlyHeaders(calendlyBody, SECRETS.calendly_key), forwarded: calendlyBody },
    {
      name: 'twilio form', connection: 'twilio-main', connector: 'twilio', body: twilioForm, forwarded: twilioForm,
      headers: { 'content-type': FORM, 'x-twilio-signature': twilioSignature(SECRETS.twilio_token, twilioUrl, twilioParams), 'i-twilio-idempotency-token': 'idem-1' },
      event: { 'i-twilio-idempotency-token': 'idem-1' },
    },
    {
      name: 'twilio json (bodySHA256)', connection: 'twilio-main', connector: 'twilio', query: twilioJsonQuery, body: twilioJson, forwarded: twilioJson,
      headers: { 'content-type': 'application/json', 'x-twilio-signature': twilioSignature(SECRETS.twilio_token, twilioUrl + twilioJsonQuery, {}), 'i-twilio-idempotency-token': 'idem-2' },
      event: { 'i-twilio-idempotency-token': 'idem-2' },
    },
    { name: 'trello', connection: 'trello-main', connector: 'trello', body: trelloBody, forwarded: trelloBody, headers: { 'content-type': 'application/json', 'x-trello-webhook': trelloSignature(trelloBody, SECRETS.trello_secret, trelloUrl) } },
    {
      name: 'gitlab', connection: 'gitlab-main', connector: 'gitlab', body: gitlabBody, forwarded: gitlabBody,
      headers: { 'content-type': 'application/json', 'x-gitlab-token': SECRETS.gitlab_token, 'x-gitlab-event': 'Push Hook', 'x-gitlab-event-uuid': 'ev-uuid-1', 'idempotency-key': 'idem-gl-1' },
      event: { 'x-gitlab-event': 'Push Hook', 'x-gitlab-event-uuid': 'ev-uuid-1', 'idempotency-key': 'idem-gl-1' },
    },
    {
      name: 'microsoft-teams', connection: 'teams-main', connector: 'microsoft-teams', body: teamsBody, headers: { 'content-type': 'application/json' },
      forwarded: JSON.stringify({ value: [{ subscriptionId: 'sub-1', changeType: 'created', resource: "teams('t1')/channels('c1')/messages('m1')", tenantId: 'tid' }] }),
    },
    { name: 'monday', connection: 'monday-main', connector: 'monday', body: mondayBody, forwarded: mondayBody, headers: { 'content-type': 'application/json', authorization: await mondayJwt(SECRETS.monday_secret) } },
    {
      name: 'figma', connection: 'figma-main', connector: 'figma', body: figmaBody, headers: { 'content-type': 'application/json' },
      forwarded: JSON.stringify({ event_type: 'FILE_UPDATE', file_key: 'zYxWvUtS', file_name: 'Design system', timestamp: '2026-05-20T10:00:00Z', webhook_id: '22' }),
    },
  ]

  const tamperedForm = new URLSearchParams({ ...twilioParams, Body: 'changed' }).toString()
  const bad: Delivery[] = [
    { name: 'zoom: wrong secret', connection: 'zoom-main', body: zoomBody, headers: zoomHeaders(zoomBody, 'not-the-secret') },
    { name: 'zoom: stale timestamp', connection: 'zoom-main', body: zoomBody, headers: zoomHeaders(zoomBody, SECRETS.zoom_secret, now() - 400) },
    { name: 'zoom: slack headers only', connection: 'zoom-main', body: zoomBody, headers: { 'x-slack-signature': zoomHeaders(zoomBody, SECRETS.zoom_secret)['x-zm-signature']!, 'x-slack-request-timestamp': String(now()) } },
    { name: 'calendly: wrong key', connection: 'calendly-main', body: calendlyBody, headers: calendlyHeaders(calendlyBody, 'wrong-key') },
    { name: 'calendly: beyond its 180 s tolerance', connection: 'calendly-main', body: calendlyBody, headers: calendlyHeaders(calendlyBody, SECRETS.calendly_key, now() - 240) },
    { name: 'calendly: in stripe-signature', connection: 'calendly-main', body: calendlyBody, headers: { 'stripe-signature': calendlyHeaders(calendlyBody, SECRETS.calendly_key)['calendly-webhook-signature']! } },
    { name: 'twilio: wrong token', connection: 'twilio-main', body: twilioForm, headers: { 'content-type': FORM, 'x-twilio-signature': twilioSignature('f'.repeat(32), twilioUrl, twilioParams) } },
    { name: 'twilio: tampered parameter', connection: 'twilio-main', body: tamperedForm, headers: { 'content-type': FORM, 'x-twilio-signature': twilioSignature(SECRETS.twilio_token, twilioUrl, twilioParams) } },
    { name: 'twilio: another URL', connection: 'twilio-main', query: '?x=1', body: twilioForm, headers: { 'content-type': FORM, 'x-twilio-signature': twilioSignature(SECRETS.twilio_token, twilioUrl, twilioParams) } },
    { name: 'twilio: json body not the hashed one', connection: 'twilio-main', query: twilioJsonQuery, body: twilioJson.replace('NO1', 'NO2'), headers: { 'content-type': 'application/json', 'x-twilio-signature': twilioSignature(SECRETS.twilio_token, twilioUrl + twilioJsonQuery, {}) } },
    { name: 'trello: wrong secret', connection: 'trello-main', body: trelloBody, headers: { 'x-trello-webhook': trelloSignature(trelloBody, 'other', trelloUrl) } },
    { name: 'trello: signed for another callback URL', connection: 'trello-main', body: trelloBody, headers: { 'x-trello-webhook': trelloSignature(trelloBody, SECRETS.trello_secret, 'https://elsewhere.example.com/hook') } },
    { name: 'gitlab: wrong token', connection: 'gitlab-main', body: gitlabBody, headers: { 'x-gitlab-token': `${SECRETS.gitlab_token}x` } },
    { name: 'gitlab: no token', connection: 'gitlab-main', body: gitlabBody, headers: { 'x-gitlab-event': 'Push Hook' } },
    { name: 'teams: wrong clientState', connection: 'teams-main', body: teamsBody.replace(SECRETS.teams_state, 'guess'), headers: { 'content-type': 'application/json' } },
    { name: 'teams: one forged notification in the batch', connection: 'teams-main', body: teamsForged, headers: { 'content-type': 'application/json' } },
    { name: 'teams: empty value[]', connection: 'teams-main', body: '{"value":[]}', headers: { 'content-type': 'application/json' } },
    { name: 'monday: wrong secret', connection: 'monday-main', body: mondayBody, headers: { authorization: await mondayJwt('e'.repeat(32)) } },
    { name: 'monday: HS512', connection: 'monday-main', body: mondayBody, headers: { authorization: await mondayJwt(SECRETS.monday_secret, { alg: 'HS512' }) } },
    { name: 'monday: alg none', connection: 'monday-main', body: mondayBody, headers: { authorization: unsignedJwt() } },
    { name: 'monday: expired', connection: 'monday-main', body: mondayBody, headers: { authorization: await mondayJwt(SECRETS.monday_secret, { iatSeconds: now() - 900, expSeconds: 300 }) } },
    { name: 'figma: wrong passcode', connection: 'figma-main', body: figmaBody.replace(SECRETS.figma_passcode, 'guess'), headers: { 'content-type': 'application/json' } },
    { name: 'figma: passcode as a number', connection: 'figma-main', body: figmaBody.replace(`"${SECRETS.figma_passcode}"`, '12'), headers: { 'content-type': 'application/json' } },
    { name: 'figma: not JSON', connection: 'figma-main', body: `passcode=${SECRETS.figma_passcode}`, headers: { 'content-type': FORM } },
  ]

  const answers: string[] = []
  for (const d of bad) {
    const res = await gw.fetch(`/webhooks/${d.connection}${d.query ?? ''}`, { method: 'POST', headers: d.headers, body: d.body })
    const text = await res.text()
    answers.push(text)
    t.equal(res.status, 401, `${d.name}: 401`)
    t.equal(JSON.parse(text).error?.code, 'webhook_signature_invalid', `${d.name}: webhook_signature_invalid`)
  }
  for (const d of good) {
    const res = await gw.fetch(`/webhooks/${d.connection}${d.query ?? ''}`, { method: 'POST', headers: d.headers, body: d.body })
    const text = await res.text()
    answers.push(text)
    t.equal(res.status, 202, `${d.name}: 202`)
    t.match(JSON.parse(text), { status: 'queued', id: /^evt_[0-9a-f]{32}$/ }, `${d.name}: queued`)
  }
  await until(() => receiver.received.length >= good.length, 4000, 'every good delivery forwarded')
  await new Promise((resolve) => setTimeout(resolve, 100))
  t.equal(receiver.received.length, good.length, 'only the good deliveries were forwarded')

  const events = receiver.received.map((r) => verifiedEvent(r))
  for (const d of good) {
    const event = events.find((e) => e.data.connection === d.connection && (e.data.body === d.forwarded))
    t.ok(event, `${d.name}: forwarded with its body${d.forwarded === d.body ? '' : ' (the secret field removed)'}`)
    if (event === undefined) continue
    t.equal(event.type, 'webhook.received')
    t.equal(event.data.connector, d.connector)
    t.same(event.data.headers, { 'content-type': d.headers['content-type'], ...d.event }, `${d.name}: content-type and the provider's event headers only`)
  }

  // A repeat of the same provider event id (Twilio's idempotency token, GitLab's
  // Idempotency-Key, Trello's action id, monday's triggerUuid) is acknowledged, not forwarded.
  for (const name of ['twilio form', 'gitlab', 'trello', 'figma']) {
    const d = good.find((g) => g.name === name)!
    const res = await postWebhook(gw, d.connection, d.body, d.headers)
    t.same(await res.json(), { status: 'duplicate' }, `${name}: a repeat is a duplicate`)
  }
  const mondayAgain = await postWebhook(gw, 'monday-main', mondayBody, { 'content-type': 'application/json', authorization: await mondayJwt(SECRETS.monday_secret, { iatSeconds: now() - 1 }) })
  t.same(await mondayAgain.json(), { status: 'duplicate' }, 'monday: the same triggerUuid under a new JWT is a duplicate')

  const presented = [...good, ...bad].flatMap((d) => Object.entries(d.headers).filter(([k]) => /signature|token|webhook$|authorization/.test(k) && k !== 'i-twilio-idempotency-token').map(([, v]) => v))
  assertNoSecrets(t, [...gw.logs, ...answers, ...receiver.received.map((r) => r.body.toString('utf8'))],
    [...Object.values(SECRETS), ...presented.flatMap((v) => v.split(/[=,\s.]/).filter((piece) => piece.length >= 20))])
})
