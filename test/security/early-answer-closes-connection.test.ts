/**
 * Defends: when latchkey (403, 404, 413) or the upstream answers before the caller's declared
 * body has arrived, the answer carries `Connection: close` and the connection is closed
 * (SPEC 6.3), so left-over body bytes are never read as a new request. The idea of
 * @fastify/reply-from's incomplete-request test: declare 1 MiB, send 1 byte, read the answer,
 * and expect the server to hang up, not to wait on a keep-alive socket.
 */
import { performance } from 'node:perf_hooks'
import t from 'tap'
import { startGateway } from '../helpers/gateway.js'
import { errorCode, rawExchange } from '../helpers/raw-http.js'
import { recordingUpstream } from '../helpers/upstream.js'

const WAIT_MS = 6_000

t.test('an answer before the body is complete closes the connection', async (t) => {
  const upstream = await recordingUpstream(t, (_req, res) => {
    // Answers at once, reading nothing of the body.
    res.writeHead(201, { 'content-type': 'text/plain' })
    res.end('early')
  }, { streaming: true })
  const gw = await startGateway(t, `
server: { body_limit: 64kb }
connectors:
  up: { base_url: ${upstream.url} }
  signed:
    base_url: ${upstream.url}
    auth: { methods: { o: { type: oauth1, consumer_key: ck, consumer_secret: cs, token: tk, token_secret: ts } } }
connections:
  open: { connector: up, access: { anonymous: true } }
  closed: { connector: up }
  signed: { connector: signed, access: { anonymous: true } }
`)

  const cases: Array<[string, string, number, string | undefined]> = [
    ['latchkey 404', '/proxy/nope/x', 404, 'connection_not_found'],
    ['latchkey 403', '/proxy/closed/x', 403, 'forbidden'],
    ['latchkey 413', '/proxy/signed/x', 413, 'payload_too_large'],
    ['the upstream', '/proxy/open/x', 201, undefined],
  ]
  for (const [name, path, status, code] of cases) {
    const started = performance.now()
    const answer = await rawExchange(gw.url, `POST ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\n` +
      'Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 1048576\r\n\r\na', WAIT_MS)
    const ms = performance.now() - started
    const [head = '', body = ''] = answer.split('\r\n\r\n')
    t.match(head, new RegExp(`^HTTP/1.1 ${status} `), `${name}: ${status}`)
    if (code !== undefined) t.equal(errorCode(body), code, `${name}: ${code}`)
    t.match(head, /\r\nconnection: close(\r\n|$)/i, `${name}: Connection: close`)
    t.notMatch(head, /keep-alive/i, `${name}: no keep-alive`)
    t.ok(ms < WAIT_MS - 1_000, `${name}: the server closed the connection (after ${ms.toFixed(0)} ms)`)
  }
})

t.test('a complete request keeps its connection alive', async (t) => {
  const upstream = await recordingUpstream(t)
  const gw = await startGateway(t, `
connectors:
  up: { base_url: ${upstream.url} }
connections:
  closed: { connector: up }
`)
  // Two requests on one socket: the first refused one, complete, must not end the connection.
  const answer = await rawExchange(gw.url,
    'POST /proxy/closed/x HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 2\r\n\r\nab' +
    'GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n', WAIT_MS)
  t.match(answer, /^HTTP\/1.1 403 /, 'the first answer')
  t.match(answer, /HTTP\/1.1 200 [^]*"status":"ok"/, 'the second request was served on the same connection')
})
