/**
 * A caller that streams a large upload slowly and then destroys its socket: latchkey must not
 * leave the upstream request hanging half-received (it would wait for bytes that never come,
 * holding a socket on both sides until some timeout). The upstream sees its request close
 * before its end, soon after the caller went away, and holds no socket from latchkey any more,
 * before any pool is closed. The caller went away, so there is no answer to check; the gateway
 * logs the request as failed by the caller (not as an unreachable upstream), without the
 * secret, and keeps serving.
 */
import { request } from 'node:http'
import t from 'tap'
import { assertNoSecrets, startGateway } from '../../helpers/gateway.js'
import { apiKeyGatewayYaml, assertNoSocketsAfterClose, callGateway, keepSocketsPooled, seen, UPSTREAM_KEY } from '../../helpers/faults.js'
import { trackConnections, within } from '../../helpers/sockets.js'
import { recordingUpstream } from '../../helpers/upstream.js'

const TOTAL = 64 * 1024 * 1024
const CHUNK = 64 * 1024
/** The caller gives up once the upstream has this much. */
const ABORT_AFTER = 512 * 1024

interface UpstreamSide { bytes: number, ended: boolean, closedAt: number | undefined, aborted: boolean }

t.test('a caller aborting mid-upload aborts the upstream request', async (t) => {
  const side: UpstreamSide = { bytes: 0, ended: false, closedAt: undefined, aborted: false }
  let enough!: () => void
  const upstreamHasEnough = new Promise<void>((resolve) => { enough = resolve })
  let upstreamClosed!: () => void
  const upstreamGone = new Promise<void>((resolve) => { upstreamClosed = resolve })
  const upstream = await recordingUpstream(t, (req, res) => {
    if (req.url !== '/upload') return void res.writeHead(200, { 'content-type': 'text/plain' }).end('fine')
    req.on('data', (c: Buffer) => {
      side.bytes += c.length
      if (side.bytes >= ABORT_AFTER) enough()
    })
    req.on('end', () => {
      side.ended = true
      res.writeHead(201).end()
    })
    req.on('aborted', () => { side.aborted = true })
    req.on('error', () => {})
    req.on('close', () => {
      side.closedAt = performance.now()
      upstreamClosed()
    })
  }, { streaming: true })
  keepSocketsPooled(upstream.server)
  const upstreamSockets = trackConnections(upstream.server)
  const lk = await startGateway(t, apiKeyGatewayYaml(upstream.url), { secrets: { upstream_key: UPSTREAM_KEY } })
  const callers = trackConnections(lk.gateway.app.server)

  // A slow upload: one 64 KiB chunk every 10 ms, far from the announced 64 MiB.
  const { port } = new URL(lk.url)
  let answered = false
  const caller = request({
    host: '127.0.0.1', port, method: 'PUT', path: '/proxy/api/upload', agent: false,
    headers: { 'content-type': 'application/octet-stream', 'content-length': String(TOTAL) },
  }, () => { answered = true })
  caller.on('error', () => {})
  let written = 0
  const drip = setInterval(() => {
    if (written < TOTAL && !caller.destroyed) {
      caller.write(Buffer.alloc(CHUNK, 0x61))
      written += CHUNK
    }
  }, 10)
  await within(10_000, 'the upstream receiving the first 512 KiB', upstreamHasEnough)
  clearInterval(drip)
  const abortedAt = performance.now()
  caller.destroy()

  await within(5000, 'the upstream request closing', upstreamGone)
  t.equal(side.ended, false, 'the upstream request never ended as if complete')
  t.ok(side.bytes < TOTAL, `the upstream got part of the body (${side.bytes} of ${TOTAL} bytes)`)
  t.ok(side.aborted, 'the upstream saw the request aborted')
  t.ok(side.closedAt! - abortedAt < 3000, `closed soon after the caller left (${Math.round(side.closedAt! - abortedAt)} ms)`)
  t.equal(answered, false, 'the caller left before any answer')
  t.equal(upstream.last().headers['x-api-key'], UPSTREAM_KEY, 'the credential was injected')
  t.equal(await upstreamSockets.drained(3000), 0, 'latchkey holds no socket to the upstream for the aborted upload')
  t.equal(await callers.drained(3000), 0, 'no caller connection is left in the gateway')

  const next = await callGateway(lk.url, { path: '/proxy/api/next' })
  t.equal(next.status, 200, 'the next request is served')
  t.equal(next.text, 'fine')

  await assertNoSocketsAfterClose(t, lk, { upstream: upstreamSockets, gateway: callers })
  t.same(lk.logs.filter((l) => (JSON.parse(l) as { level: number }).level >= 50), [], 'nothing logged as an unexpected error')
  // The upstream was fine: the log must say the caller left, not that the upstream failed.
  // One access line, marked aborted: the caller left, nothing failed.
  t.ok(lk.logs.some((l) => l.includes('"msg":"request"') && l.includes('"aborted":true')), 'the access line says the caller aborted')
  t.notOk(lk.logs.some((l) => l.includes('could not be reached')), 'and not as the upstream being unreachable')
  assertNoSecrets(t, seen(lk, [next]), [UPSTREAM_KEY])
})
