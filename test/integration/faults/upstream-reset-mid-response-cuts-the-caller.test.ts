/**
 * An upstream that sends its head and part of a chunked body and then destroys the socket:
 * the caller's response must be cut (the head is already out, so the status is the upstream's
 * 200 and no latchkey error can follow; what matters is that the body does not end cleanly,
 * which would pass a truncated body off as complete), and the gateway must serve the next
 * request normally. The reset socket is gone from the upstream at once (before any pool is
 * closed), the caller's socket is closed by the gateway, and no secret shows anywhere.
 */
import t from 'tap'
import { assertNoSecrets, startGateway } from '../../helpers/gateway.js'
import { apiKeyGatewayYaml, assertNoSocketsAfterClose, callGateway, keepSocketsPooled, seen, UPSTREAM_KEY } from '../../helpers/faults.js'
import { trackConnections } from '../../helpers/sockets.js'
import { recordingUpstream } from '../../helpers/upstream.js'

t.test('an upstream reset mid-response cuts the caller response, the gateway stays healthy', async (t) => {
  const upstream = await recordingUpstream(t, (req, res) => {
    if (req.url !== '/resets') return void res.writeHead(200, { 'content-type': 'text/plain' }).end('next is fine')
    // No Content-Length: chunked, so only the terminating chunk tells a complete body.
    res.writeHead(200, { 'content-type': 'text/plain' })
    res.write('first part,', () => setTimeout(() => req.socket.destroy(), 50))
  })
  keepSocketsPooled(upstream.server)
  const upstreamSockets = trackConnections(upstream.server)
  const lk = await startGateway(t, apiKeyGatewayYaml(upstream.url), { secrets: { upstream_key: UPSTREAM_KEY } })
  const callers = trackConnections(lk.gateway.app.server)

  const cut = await callGateway(lk.url, { path: '/proxy/api/resets' })
  t.equal(cut.status, 200, 'the upstream head was already relayed')
  t.equal(cut.headers['transfer-encoding'], 'chunked', 'relayed chunked, like the upstream sent it')
  t.equal(cut.text, 'first part,', 'the part sent before the reset arrived')
  t.equal(cut.complete, false, 'the body did not end cleanly: no terminating chunk')
  t.ok(cut.error !== undefined, `the caller saw the response fail (${cut.error?.message})`)
  t.equal(upstream.last().headers['x-api-key'], UPSTREAM_KEY, 'the credential was injected (so the secret scan means something)')
  t.equal(await upstreamSockets.drained(3000), 0, 'the reset upstream socket is not kept (or replaced) by the pool')
  t.equal(await callers.drained(3000), 0, 'the gateway closed the cut caller connection')

  const next = await callGateway(lk.url, { path: '/proxy/api/next' })
  t.equal(next.status, 200, 'the next request is served')
  t.equal(next.text, 'next is fine')
  t.ok(next.complete)
  t.equal(upstream.received.length, 2, 'one upstream request each, nothing retried')

  await assertNoSocketsAfterClose(t, lk, { upstream: upstreamSockets, gateway: callers })
  assertNoSecrets(t, seen(lk, [cut, next]), [UPSTREAM_KEY])
})
