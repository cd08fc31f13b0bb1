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
  t.match(problemsOf(base('  port: 8080', '      verify: { type: github, secret: s, header: X-Sig }')), [/^7:42: connectors\.acme\.webhooks\.verify\.header: 'header' is only for type hmac$/])
  t.match(problemsOf(base('  port: 8080', '      verify: { type: gitlab, secret: s }')), [/^7:\d+: .*stripe, slack, github, shopify, standard or hmac/])
  t.match(problemsOf(base('  port: 8080', '      verify: { type: stripe, secret: s, tolerance: soon }')), [/^7:\d+: .*duration/])
  t.match(problemsOf(base('  port: 8080', '      verify: { type: stripe, secret: s }\n      forward_to: not-a-url')), [/^8:19: .*forward_to: expected an absolute http\(s\) URL$/])
  t.match(problemsOf(base('  port: 8080', '      verify: { type: stripe, secret: s }\n      forward_to: "https://x/{{ get_secret(\'t\') }}"')), [/^8:19: .*forward_to: .*get_secret/])
  t.match(problemsOf(base('  events: { url: "https://a.example", secret: "{{ connection.credentials.x }}" }', '      verify: { type: stripe, secret: s }')), [/^2:47: server\.events\.secret: caller templates may only use get_secret\(\)/])
  t.match(problemsOf(base('  events: { url: "https://a.example" }', '      verify: { type: stripe, secret: s }')), [/^2:\d+: .*secret/])
})
