/**
 * Defends: a client that trickles its request head (slowloris) or its body is cut off near
 * `server.headers_timeout` / `server.request_timeout` (SPEC 6.3), not after node's defaults
 * plus its 30 s check interval (about 90 s before). Defaults: 10 s head, 300 s whole request,
 * 72 s keep-alive idle.
 */
import { connect } from 'node:net'
import { performance } from 'node:perf_hooks'
import t from 'tap'
import { startGateway } from '../helpers/gateway.js'
import { recordingUpstream } from '../helpers/upstream.js'

/** Writes `first`, then `drip` every 250 ms, until the server closes; resolves with the elapsed ms and what was read. */
function trickle (origin: string, first: string, drip: string, giveUpMs: number): Promise<{ ms: number, received: string }> {
  const url = new URL(origin)
  return new Promise((resolve) => {
    const started = performance.now()
    const socket = connect(Number(url.port), url.hostname)
    let received = ''
    const timer = setInterval(() => { if (!socket.destroyed) socket.write(drip) }, 250)
    const giveUp = setTimeout(() => socket.destroy(), giveUpMs)
    socket.on('connect', () => socket.write(first))
    socket.on('data', (c: Buffer) => { received += c.toString('latin1') })
    socket.on('error', () => {})
    socket.on('close', () => {
      clearInterval(timer)
      clearTimeout(giveUp)
      resolve({ ms: performance.now() - started, received })
    })
  })
}

t.test('the defaults', async (t) => {
  const gw = await startGateway(t, 'connectors: {}\n')
  const server = gw.gateway.app.server
  t.equal(server.headersTimeout, 10_000)
  t.equal(server.requestTimeout, 300_000)
  t.equal(server.keepAliveTimeout, 72_000)
})

t.test('a slow head and a slow body are cut off within about a second of their limits', async (t) => {
  // The upstream waits for the whole body, so only request_timeout can end the trickle.
  const upstream = await recordingUpstream(t)
  const gw = await startGateway(t, `
server: { headers_timeout: 1s, request_timeout: 2s }
connectors:
  up: { base_url: ${upstream.url} }
connections:
  up: { connector: up, access: { anonymous: true } }
`)

  const head = await trickle(gw.url, 'GET /healthz HTTP/1.1\r\nHost: x\r\n', 'X-Slow: 1\r\n', 15_000)
  t.ok(head.ms >= 900 && head.ms < 5_000, `a trickled head was cut off after ${head.ms.toFixed(0)} ms (limit 1 s)`)
  t.notMatch(head.received, /^HTTP\/1.1 200/, 'it was never served')

  const body = await trickle(gw.url, 'POST /proxy/up/x HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n', 'a', 15_000)
  t.ok(body.ms >= 1_900 && body.ms < 7_000, `a trickled body was cut off after ${body.ms.toFixed(0)} ms (limit 2 s)`)
  t.equal(upstream.received.length, 1, 'the upstream saw the request start')
})

t.test('headers_timeout may not exceed request_timeout', async (t) => {
  await t.rejects(startGateway(t, 'server: { headers_timeout: 20s, request_timeout: 10s }\nconnectors: {}\n'), /headers_timeout must not exceed request_timeout/)
})
