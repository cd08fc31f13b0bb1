/**
 * A large download (8 MiB, Content-Length set) whose upstream closes its socket half-way: the
 * caller's download must be cut, never completed or padded, and never turned into a clean end
 * of a shorter body. The head (200, Content-Length of the full body) was relayed before the
 * failure, so there is no latchkey error code to see; the caller sees fewer bytes than
 * announced and an incomplete response. The closed upstream socket is not replaced by an idle
 * pooled one, the gateway closes the caller's socket, and the gateway serves the next request.
 */
import { Agent } from 'node:http'
import t from 'tap'
import { assertNoSecrets, startGateway } from '../../helpers/gateway.js'
import { apiKeyGatewayYaml, assertNoSocketsAfterClose, callGateway, keepSocketsPooled, seen, UPSTREAM_KEY } from '../../helpers/faults.js'
import { trackConnections, within } from '../../helpers/sockets.js'
import { recordingUpstream } from '../../helpers/upstream.js'

const SIZE = 8 * 1024 * 1024
const CHUNK = 64 * 1024
const CUT_AT = SIZE / 2

/** Chunk i of the body: distinct content, so a wrong or repeated chunk would not hash alike. */
function chunkAt (i: number): Buffer {
  return Buffer.alloc(CHUNK, i & 0xff).fill(String(i), 0, 8)
}

t.test('an upstream closing mid-download cuts the caller\'s download', async (t) => {
  let sent = 0
  const upstream = await recordingUpstream(t, (req, res) => {
    if (req.url !== '/big') return void res.writeHead(200, { 'content-type': 'text/plain' }).end('fine')
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': String(SIZE) })
    let i = 0
    const pump = (): void => {
      while (sent < CUT_AT) {
        const chunk = chunkAt(i++)
        sent += chunk.length
        // Half of the body is on the wire (flushed to the socket), then the socket goes away.
        if (sent >= CUT_AT) return void res.write(chunk, () => req.socket.destroy())
        if (!res.write(chunk)) return void res.once('drain', pump)
      }
    }
    pump()
  })
  keepSocketsPooled(upstream.server)
  const upstreamSockets = trackConnections(upstream.server)
  const lk = await startGateway(t, apiKeyGatewayYaml(upstream.url), { secrets: { upstream_key: UPSTREAM_KEY } })
  const callers = trackConnections(lk.gateway.app.server)

  // A keep-alive caller: only a response the gateway destroys ends early for it. A gateway that
  // just ended the response short would leave it waiting for the missing bytes (then `within`
  // fails) or, worse, reading the next response on that connection as the rest of the body.
  const agent = new Agent({ keepAlive: true, maxSockets: 1 })
  t.teardown(() => agent.destroy())
  const cut = await within(10_000, 'the cut download', callGateway(lk.url, { path: '/proxy/api/big', agent }))
  t.equal(cut.status, 200, 'the head was relayed before the upstream closed')
  t.equal(cut.headers['content-length'], String(SIZE), 'announcing the full size')
  t.equal(cut.complete, false, 'the download did not complete')
  t.ok(cut.error !== undefined, `the caller saw the response fail (${cut.error?.message})`)
  t.ok(cut.body.length < SIZE, `fewer bytes than announced (${cut.body.length} of ${SIZE})`)
  t.ok(cut.body.length <= CUT_AT, 'nothing beyond what the upstream sent')
  // What was still in the gateway's buffer for the caller when it cut the response may be lost;
  // what arrived must be the upstream's first bytes, in order.
  const expected = Buffer.concat(Array.from({ length: Math.ceil(cut.body.length / CHUNK) }, (_, i) => chunkAt(i))).subarray(0, cut.body.length)
  t.ok(cut.body.equals(expected), 'the bytes that arrived are the upstream\'s, in order')
  t.equal(upstream.last().headers['x-api-key'], UPSTREAM_KEY, 'the credential was injected')
  t.equal(await upstreamSockets.drained(3000), 0, 'the closed upstream socket is not kept or replaced')
  t.equal(await callers.drained(3000), 0, 'the gateway closed the cut caller connection')

  const next = await callGateway(lk.url, { path: '/proxy/api/next', agent })
  t.equal(next.status, 200, 'the next request is served')
  t.equal(next.text, 'fine')

  agent.destroy()
  await assertNoSocketsAfterClose(t, lk, { upstream: upstreamSockets, gateway: callers })
  assertNoSecrets(t, seen(lk, [cut, next]), [UPSTREAM_KEY])
})
