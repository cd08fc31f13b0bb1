/**
 * SPEC 13 destinations: `forward_to` (else server.events.url). A templated forward_to must
 * render to a host in the connector's allowed_hosts (SPEC 6.4): otherwise 400 invalid_path at
 * ingress and nothing queued. Without server.events nothing can be signed: 500, nothing queued.
 */
import t from 'tap'
import { startGateway } from '../helpers/gateway.js'
import { acmeHeaders, eventReceiver, postWebhook, SECRETS, startWebhookGateway, until, verifiedEvent, webhookConfig } from './harness.js'

const verify = 'verify: { type: hmac, secret: "{{ get_secret(\'acme_secret\') }}", header: X-Acme-Signature, prefix: "sha256=" }'

t.test('static and templated forward_to', async (t) => {
  const receiver = await eventReceiver(t)
  const gw = await startWebhookGateway(t, webhookConfig({
    receiverUrl: receiver.url,
    connectors: `  fwd-static:
    base_url: https://api.fwd.example
    webhooks: { ${verify}, forward_to: "${receiver.url}/static?via=latchkey" }
  fwd-templated:
    base_url: https://api.fwd.example
    allowed_hosts: ["127.0.0.1"]
    webhooks: { ${verify}, forward_to: "http://{{ connection.config.host }}/templated" }
`,
    connections: `  fwd-s: { connector: fwd-static }
  fwd-ok: { connector: fwd-templated, config: { host: "127.0.0.1:${receiver.port}" } }
  fwd-bad: { connector: fwd-templated, config: { host: "evil.example" } }
`,
  }))
  const body = 'payload'
  t.equal((await postWebhook(gw, 'fwd-s', body, acmeHeaders(body, SECRETS.acme_secret))).status, 202)
  t.equal((await postWebhook(gw, 'fwd-ok', body, acmeHeaders(body, SECRETS.acme_secret))).status, 202)
  const bad = await postWebhook(gw, 'fwd-bad', body, acmeHeaders(body, SECRETS.acme_secret))
  t.equal(bad.status, 400)
  t.equal((await bad.json() as { error: { code: string } }).error.code, 'invalid_path')
  await until(() => receiver.received.length === 2, 4000, 'two forwarded')
  await new Promise((resolve) => setTimeout(resolve, 50))
  t.same(receiver.received.map((r) => r.url).sort(), ['/static?via=latchkey', '/templated'])
  t.same(receiver.received.map((r) => verifiedEvent(r).data.connection).sort(), ['fwd-ok', 'fwd-s'])
  t.equal(receiver.received.length, 2, 'nothing for the refused host')
})

t.test('without server.events: 500, nothing queued', async (t) => {
  const receiver = await eventReceiver(t)
  const yaml = webhookConfig({ receiverUrl: receiver.url }).replace(/^ {2}events: .*$/m, '')
  const gw = await startGateway(t, yaml, { secrets: SECRETS })
  const body = 'payload'
  const res = await postWebhook(gw, 'acme-main', body, acmeHeaders(body, SECRETS.acme_secret))
  t.equal(res.status, 500)
  t.match(await res.text(), /server\.events/)
  t.equal((await gw.gateway.events.queue.stats(Date.now())).depth, 0)
})
