/**
 * A caller that goes away in the middle of a large, slowly streamed download: latchkey must
 * stop the upstream response too, not keep reading (and dropping) the rest of it or leave the
 * upstream writing into a socket nobody reads. The upstream sees its response close before it
 * finished, soon after the caller left, and holds no socket from latchkey any more, before any
 * pool is closed. The caller saw the head (200) and some bytes; there is no error to read.
 */
import { request } from 'node:http'
import t from 'tap'
import { assertNoSecrets, startGateway } from '../../helpers/gateway.js'
import { apiKeyGatewayYaml, assertNoSocketsAfterClose, callGateway, keepSocketsPooled, seen, UPSTREAM_KEY } from '../../helpers/faults.js'
import { trackConnections, within } from '../../helpers/sockets.js'
import { recordingUpstream } from '../../helpers/upstream.js'

const TOTAL = 64 * 1024 * 1024
const CHUNK = 64 * 1024
/** The caller gives up after this much. */
const ABORT_AFTER = 512 * 1024

t.test('a caller aborting mid-download closes the upstream response', async (t) => {
  const side = { written: 0, finished: false, closedAt: undefined as number | undefined }
  let upstreamClosed!: () => void
  const upstreamGone = new Promise<void>((resolve) => { upstreamClosed = resolve })
  const upstream = await recordingUpstream(t, (req, res) => {
    if (req.url !== '/download') return void res.writeHead(200, { 'content-type': 'text/plain' }).end('fine')
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': String(TOTAL) })
    // A slow body: one 64 KiB chunk every 10 ms, so the whole would take over 10 s.
    const drip = setInterval(() => {
      if (res.destroyed) return
      res.write(Buffer.alloc(CHUNK, 0x62))
      side.written += CHUNK
      if (side.written >= TOTAL) {
        clearInterval(drip)
        res.end()
      }
    }, 10)
    res.on('finish', () => { side.finished = true })
    res.on('close', () => {
      clearInterval(drip)
      side.closedAt = performance.now()
      upstreamClosed()
    })
  })
  keepSocketsPooled(upstream.server)
  const upstreamSockets = trackConnections(upstream.server)
  const lk = await startGateway(t, apiKeyGatewayYaml(upstream.url), { secrets: { upstream_key: UPSTREAM_KEY } })
  const callers = trackConnections(lk.gateway.app.server)

  const { port } = new URL(lk.url)
  let status = 0
  let received = 0
  const abortedAt = await within(10_000, 'the caller receiving the first 512 KiB', new Promise<number>((resolve, reject) => {
    const caller = request({ host: '127.0.0.1', port, path: '/proxy/api/download', agent: false }, (res) => {
      status = res.statusCode ?? 0
      res.on('data', (c: Buffer) => {
        received += c.length
        if (received >= ABORT_AFTER && !caller.destroyed) {
          caller.destroy()
          resolve(performance.now())
        }
      })
      res.on('error', () => {})
    })
    caller.on('error', (err) => { if (!caller.destroyed) reject(err) })
    caller.end()
  }))

  await within(5000, 'the upstream response closing', upstreamGone)
  t.equal(status, 200, 'the caller had the head')
  t.equal(side.finished, false, 'the upstream response never finished')
  t.ok(side.written < TOTAL, `the upstream stopped part-way (${side.written} of ${TOTAL} bytes written)`)
  t.ok(side.closedAt! - abortedAt < 3000, `closed soon after the caller left (${Math.round(side.closedAt! - abortedAt)} ms)`)
  t.equal(upstream.last().headers['x-api-key'], UPSTREAM_KEY, 'the credential was injected')
  t.equal(await upstreamSockets.drained(3000), 0, 'latchkey holds no socket to the upstream for the abandoned download')
  t.equal(await callers.drained(3000), 0, 'no caller connection is left in the gateway')

  const next = await callGateway(lk.url, { path: '/proxy/api/next' })
  t.equal(next.status, 200, 'the next request is served')
  t.equal(next.text, 'fine')

  await assertNoSocketsAfterClose(t, lk, { upstream: upstreamSockets, gateway: callers })
  t.same(lk.logs.filter((l) => (JSON.parse(l) as { level: number }).level >= 50), [], 'nothing logged as an unexpected error')
  assertNoSecrets(t, seen(lk, [next]), [UPSTREAM_KEY])
})
