/**
 * SPEC 13 handshakes: Zoom's endpoint.url_validation (signed; answered with the HMAC of the
 * plainToken), Graph's ?validationToken= (echoed as text/plain), monday's {"challenge"}
 * (echoed as JSON) and Trello's HEAD (200) are answered at once and never forwarded; an echo
 * of caller input is length-limited, printable only, nosniff, and never a header break; a
 * url_validation without a valid signature is no HMAC oracle (401).
 */
import { createHmac } from 'node:crypto'
import t from 'tap'
import { assertNoSecrets } from '../helpers/gateway.js'
import { rawExchange } from '../helpers/raw-http.js'
import { catalogWebhookConfig, eventReceiver, postWebhook, SECRETS, startWebhookGateway, zoomHeaders } from './harness.js'

t.test('handshakes are answered as each provider expects, and nothing reaches the receiver', async (t) => {
  const receiver = await eventReceiver(t)
  const gw = await startWebhookGateway(t, catalogWebhookConfig({ receiverUrl: receiver.url }))
  const answers: string[] = []
  const keep = async (res: Response) => { const text = await res.text(); answers.push(text); return text }

  // Zoom: signed validation -> {plainToken, encryptedToken = hex HMAC-SHA256(secret, plainToken)}.
  const validation = JSON.stringify({ payload: { plainToken: 'qgg8vlvZRS6UYooatFL8Aw' }, event_ts: Date.now(), event: 'endpoint.url_validation' })
  const zoom = await postWebhook(gw, 'zoom-main', validation, zoomHeaders(validation, SECRETS.zoom_secret))
  t.equal(zoom.status, 200, 'zoom: 200')
  t.match(zoom.headers.get('content-type'), /^application\/json/)
  t.same(JSON.parse(await keep(zoom)), { plainToken: 'qgg8vlvZRS6UYooatFL8Aw', encryptedToken: createHmac('sha256', SECRETS.zoom_secret).update('qgg8vlvZRS6UYooatFL8Aw').digest('hex') })

  // Unsigned or wrongly signed: no HMAC of a stranger's chosen text (it could be a v0: string).
  const oracle = JSON.stringify({ payload: { plainToken: 'v0:1700000000:{"event":"meeting.started"}' }, event: 'endpoint.url_validation' })
  for (const [name, body, headers] of [
    ['zoom: unsigned validation', validation, { 'content-type': 'application/json' }],
    ['zoom: validation signed with another secret', validation, zoomHeaders(validation, 'another-secret')],
    ['zoom: signed validation of a token that is not a token', oracle, zoomHeaders(oracle, SECRETS.zoom_secret)],
  ] as Array<[string, string, Record<string, string>]>) {
    const res = await postWebhook(gw, 'zoom-main', body, headers)
    t.equal(res.status, 401, `${name}: 401`)
    t.equal(JSON.parse(await keep(res)).error.code, 'webhook_signature_invalid')
  }

  // Graph: the decoded validationToken echoed as text/plain, within 10 s (at once).
  const token = 'Validation: Testing client application reachability for subscription Request-Id: 4b5a-9e1f'
  const started = Date.now()
  const graph = await gw.fetch(`/webhooks/teams-main?validationToken=${encodeURIComponent(token)}`, { method: 'POST', headers: { 'content-type': 'text/plain; charset=utf-8' }, body: '' })
  t.equal(graph.status, 200, 'graph: 200')
  t.equal(await keep(graph), token, 'graph: the token, decoded')
  t.equal(graph.headers.get('content-type'), 'text/plain; charset=utf-8')
  t.equal(graph.headers.get('x-content-type-options'), 'nosniff')
  t.ok(Date.now() - started < 2000, 'graph: answered well within 10 s')
  for (const [name, query] of [
    ['graph: CR LF in the token', `validationToken=${encodeURIComponent('ok\r\nSet-Cookie: a=b')}`],
    ['graph: markup-free but too long', `validationToken=${'a'.repeat(1025)}`],
    ['graph: twice', 'validationToken=a&validationToken=b'],
  ]) {
    const res = await gw.fetch(`/webhooks/teams-main?${query}`, { method: 'POST', body: '' })
    t.equal(res.status, 401, `${name}: 401`)
    t.equal(res.headers.get('set-cookie'), null, `${name}: no header injected`)
    await keep(res)
  }

  // monday: {"challenge"} echoed as JSON; a body with more than the challenge is a delivery.
  const challenge = await postWebhook(gw, 'monday-main', JSON.stringify({ challenge: '3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P' }), { 'content-type': 'application/json' })
  t.equal(challenge.status, 200, 'monday: 200')
  t.same(JSON.parse(await keep(challenge)), { challenge: '3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P' })
  t.match(challenge.headers.get('content-type'), /^application\/json/)
  const quoted = await postWebhook(gw, 'monday-main', JSON.stringify({ challenge: '"</script><b>' }), { 'content-type': 'application/json' })
  t.same(JSON.parse(await keep(quoted)), { challenge: '"</script><b>' }, 'monday: echoed JSON-encoded')
  t.equal(quoted.headers.get('x-content-type-options'), 'nosniff')
  const smuggled = await postWebhook(gw, 'monday-main', JSON.stringify({ challenge: 'x', event: { type: 'create_pulse' } }), { 'content-type': 'application/json' })
  t.equal(smuggled.status, 401, 'monday: an unsigned body with a challenge and more is a delivery, refused')
  await keep(smuggled)

  // Trello: HEAD on creation is 200 without a body; a connector without a HEAD handshake is 405.
  const head = await rawExchange(gw.url, 'HEAD /webhooks/trello-main HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n')
  t.match(head, /^HTTP\/1\.1 200 /, 'trello: HEAD 200')
  const headOther = await gw.fetch('/webhooks/gitlab-main', { method: 'HEAD' })
  t.equal(headOther.status, 405, 'HEAD elsewhere: 405')
  t.equal(headOther.headers.get('allow'), 'POST')
  const headUnknown = await gw.fetch('/webhooks/no-such', { method: 'HEAD' })
  t.equal(headUnknown.status, 404, 'HEAD of an unknown connection: 404')

  await new Promise((resolve) => setTimeout(resolve, 150))
  t.equal(receiver.received.length, 0, 'no handshake was forwarded')
  t.equal((await gw.gateway.events.queue.stats(Date.now())).depth, 0, 'and none is queued')
  assertNoSecrets(t, [...gw.logs, ...answers], Object.values(SECRETS))
})
