/**
 * `server.events` and connector `webhooks` in `latchkey validate`: each mistake at its line and
 * column (SPEC 3), and the template sites: the verify secret may read secrets and credentials,
 * forward_to (like a base URL) may not.
 */
import t from 'tap'
import { problemsOf } from '../helpers/config.js'

const base = (server: string, webhooks: string) => `server:
${server}
connectors:
  acme:
    base_url: https://api.acme.example
    webhooks:
${webhooks}
`

t.test('valid blocks pass', async (t) => {
  t.same(problemsOf(base('  events: { url: "https://app.example.com/hooks", secret: "{{ get_secret(\'ev\') }}" }',
    '      verify: { type: hmac, secret: "{{ connection.credentials.webhook_secret }}", header: X-Sig, algorithm: sha512, encoding: base64, prefix: "v1=" }\n      forward_to: "https://{{ connection.config.host }}/in"')), [])
  t.same(problemsOf(base('  port: 8080', '      verify: { type: stripe, secret: "{{ get_secret(\'whsec\') }}", tolerance: 5m }')), [])
})

t.test('mistakes, each at its position', async (t) => {
  t.same(problemsOf(base('  events: { url: "ftp://x", secret: "{{ get_secret(\'ev\') }}" }', '      verify: { type: stripe, secret: s }')),
    ['2:18: server.events.url: expected an http(s) URL'])
  t.match(problemsOf(base('  port: 8080', '      verify: { type: hmac, secret: s }')), [/^7:15: connectors\.acme\.webhooks\.verify: the hmac verifier needs 'header'$/])
  t.match(problemsOf(base('  port: 8080', '      verify: { type: github, secret: s, header: X-Sig }')), [/^7:42: connectors\.acme\.webhooks\.verify\.header: 'header' is not an option of type github$/])
  t.match(problemsOf(base('  port: 8080', '      verify: { type: gitlab, secret: s }')), [/^7:\d+: .*stripe, slack, github, shopify, standard, hmac, token, url_hmac or jwt$/])
  t.match(problemsOf(base('  port: 8080', '      verify: { type: stripe, secret: s, tolerance: soon }')), [/^7:\d+: .*duration/])
  t.match(problemsOf(base('  port: 8080', '      verify: { type: stripe, secret: s }\n      forward_to: not-a-url')), [/^8:19: .*forward_to: expected an absolute http\(s\) URL$/])
  t.match(problemsOf(base('  port: 8080', '      verify: { type: stripe, secret: s }\n      forward_to: "https://x/{{ get_secret(\'t\') }}"')), [/^8:19: .*forward_to: .*get_secret/])
  t.match(problemsOf(base('  events: { url: "https://a.example", secret: "{{ connection.credentials.x }}" }', '      verify: { type: stripe, secret: s }')), [/^2:47: server\.events\.secret: caller templates may only use get_secret\(\)/])
  t.match(problemsOf(base('  events: { url: "https://a.example" }', '      verify: { type: stripe, secret: s }')), [/^2:\d+: .*secret/])
})

t.test('the options of token, url_hmac, jwt, handshakes and event ids', async (t) => {
  const port = '  port: 8080'
  for (const verify of [
    '{ type: token, secret: s, header: X-Gitlab-Token, event_id: ["header:Idempotency-Key"], event_headers: [X-Gitlab-Event] }',
    '{ type: token, secret: s, field: "value[].clientState", handshake: validation_token }',
    '{ type: url_hmac, secret: s, header: X-Twilio-Signature, signed: url_and_form }',
    '{ type: url_hmac, secret: s, header: X-Trello-Webhook, signed: body_and_url, handshake: head, event_id: ["body:action.id"] }',
    '{ type: jwt, secret: s, audience: "https://gw.example.com/webhooks/m", handshake: challenge }',
    '{ type: slack, secret: s, header: x-zm-signature, timestamp_header: x-zm-request-timestamp, handshake: zoom_url_validation }',
    '{ type: stripe, secret: s, header: Calendly-Webhook-Signature }',
    '{ type: hmac, header: X-Hook-Signature, handshake: hook_secret }',
  ]) t.same(problemsOf(base(port, `      verify: ${verify}`)), [], verify)

  const cases: Array<[string, RegExp]> = [
    ['{ type: token, secret: s }', /^7:15: .*verify: the token verifier needs exactly one of 'header' and 'field'$/],
    ['{ type: token, secret: s, header: X-T, field: passcode }', /^7:15: .*verify: the token verifier needs exactly one of 'header' and 'field'$/],
    ['{ type: token, secret: s, field: "a..b" }', /^7:\d+: .*verify\.field: expected a JSON field path/],
    ['{ type: url_hmac, secret: s, header: X-S }', /^7:15: .*verify: the url_hmac verifier needs 'signed'/],
    ['{ type: url_hmac, secret: s, header: X-S, signed: everything }', /^7:\d+: .*verify\.signed: expected url_and_form or body_and_url$/],
    ['{ type: jwt, secret: s, field: passcode }', /^7:\d+: .*verify\.field: 'field' is not an option of type jwt$/],
    ['{ type: stripe, secret: s, timestamp_header: X-T }', /^7:\d+: .*verify\.timestamp_header: 'timestamp_header' is not an option of type stripe$/],
    ['{ type: hmac, secret: s, header: X-Hook-Signature, handshake: hook_secret }', /^7:\d+: .*verify\.secret: 'secret' is not used with handshake hook_secret/],
    ['{ type: hmac, header: X-Sig }', /^7:15: .*verify: 'secret' is required \(except with handshake hook_secret\)$/],
    ['{ type: stripe, secret: s, handshake: telepathy }', /^7:\d+: .*verify\.handshake: expected zoom_url_validation, validation_token, challenge, head or hook_secret$/],
    ['{ type: stripe, secret: s, event_id: ["query:x"] }', /^7:\d+: .*verify\.event_id\[0\]: expected header:<name> or body:<field\.path>$/],
    ['{ type: token, secret: s, header: X-Gitlab-Token, event_headers: [x-gitlab-token] }', /^7:\d+: .*verify\.event_headers\[0\]: 'x-gitlab-token' carries the webhook's credential and is never forwarded$/],
    ['{ type: jwt, secret: s, event_headers: [Authorization] }', /^7:\d+: .*verify\.event_headers\[0\]: 'Authorization' carries the webhook's credential/],
  ]
  for (const [verify, expected] of cases) t.match(problemsOf(base(port, `      verify: ${verify}`)), [expected], verify)
})
