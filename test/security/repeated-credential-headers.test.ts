/**
 * Defends: a repeated credential or Host header is refused, never resolved by guessing
 * (SPEC 6.3). node keeps only the first Authorization and Host and joins repeated
 * X-Latchkey-Key values, so the parsed headers hide the repetition: the raw list decides.
 */
import t from 'tap'
import { startGateway } from '../helpers/gateway.js'
import { errorCode, rawExchange } from '../helpers/raw-http.js'
import { recordingUpstream } from '../helpers/upstream.js'

t.test('two Authorization or X-Latchkey-Key headers are 401, two Host headers 400', async (t) => {
  const upstream = await recordingUpstream(t)
  const gw = await startGateway(t, `
callers:
  api_keys:
    svc: { key: "{{ get_secret('svc_key') }}" }
  jwt: { issuer: https://issuer.test/, audience: latchkey, secret: "{{ get_secret('hs') }}", algorithms: [HS256] }
connectors:
  up: { base_url: ${upstream.url} }
connections:
  up: { connector: up, access: { anonymous: true, callers: ['*'] } }
`, { secrets: { svc_key: 'svc-key-value-1', hs: 'a-shared-secret-of-32-bytes-long!!' } })

  const cases: Array<[string, string, number, string]> = [
    ['two X-Latchkey-Key', 'X-Latchkey-Key: svc-key-value-1\r\nX-Latchkey-Key: svc-key-value-1\r\n', 401, 'unauthenticated'],
    ['two X-Latchkey-Key, other case', 'X-Latchkey-Key: svc-key-value-1\r\nx-latchkey-KEY: nope\r\n', 401, 'unauthenticated'],
    ['two Authorization', 'Authorization: Bearer a.b.c\r\nAuthorization: Bearer d.e.f\r\n', 401, 'unauthenticated'],
    ['a key and two Authorization', 'X-Latchkey-Key: svc-key-value-1\r\nAuthorization: Basic eDp5\r\nauthorization: Basic eDp5\r\n', 401, 'unauthenticated'],
    ['two Host', 'Host: a.example\r\n', 400, 'invalid_request'],
  ]
  for (const [name, extra, status, code] of cases) {
    const answer = await rawExchange(gw.url, `GET /proxy/up/x HTTP/1.1\r\nHost: 127.0.0.1\r\n${extra}Connection: close\r\n\r\n`)
    const [head = '', body = ''] = answer.split('\r\n\r\n')
    t.match(head, new RegExp(`^HTTP/1.1 ${status} `), `${name}: ${status}`)
    t.equal(errorCode(body), code, `${name}: ${code}`)
  }
  t.equal(upstream.received.length, 0, 'the upstream saw none of them')

  const once = await rawExchange(gw.url, 'GET /proxy/up/x HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Latchkey-Key: svc-key-value-1\r\nConnection: close\r\n\r\n')
  t.match(once, /^HTTP\/1.1 200 /, 'the same key sent once passes')
})
