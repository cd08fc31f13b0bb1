/**
 * Defends: a request node's HTTP parser refuses before any route runs (raw non-ASCII in the
 * path, a malformed header line, an oversized head) still gets latchkey's error shape
 * (SPEC 6.5) and a closed connection, not a framework's own body.
 */
import t from 'tap'
import { startGateway } from '../helpers/gateway.js'
import { errorCode, rawExchange } from '../helpers/raw-http.js'

t.test('parser refusals are 400/431 invalid_request in the SPEC 6.5 shape, and the connection closes', async (t) => {
  const gw = await startGateway(t, 'connectors: {}\n')
  for (const [name, head, status] of [
    ['raw non-ASCII in the path', 'GET /proxy/x/\u00e9t\u00e9 HTTP/1.1\r\nHost: x\r\n\r\n', 400],
    ['a header line without a colon', 'GET /healthz HTTP/1.1\r\nHost: x\r\nnot a header\r\n\r\n', 400],
    ['a head over 16 KiB', `GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`, 431],
  ] as const) {
    const answer = await rawExchange(gw.url, head)
    const [line = '', body = ''] = answer.split('\r\n\r\n')
    t.match(line, new RegExp(`^HTTP/1.1 ${status} `), `${name}: ${status}`)
    t.match(line, /\r\nConnection: close/i, `${name}: Connection: close`)
    t.equal(errorCode(body), 'invalid_request', `${name}: invalid_request`)
  }
})
