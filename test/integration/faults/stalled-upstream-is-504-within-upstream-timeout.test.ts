/**
 * An upstream that accepts the request and never sends its headers: the caller gets 504
 * upstream_timeout once upstream_timeout (1 s here) has passed, not when some other timer
 * fires (undici's own headersTimeout runs on a coarse clock; the 10 s connect timeout and the
 * 300 s body timeout are far away). Bounds are loose for a loaded 2-core machine: at least the
 * timeout, and well under timeout + 3 s. The gateway must also give up on the upstream request
 * itself: the stalled upstream sees its request closed and holds no socket from latchkey, before
 * any pool is closed (an HTTP/1.1 request cannot be abandoned while keeping its socket).
 */
import type { IncomingMessage } from 'node:http'
import t from 'tap'
import { assertNoSecrets, startGateway } from '../../helpers/gateway.js'
import { apiKeyGatewayYaml, assertLatchkeyError, assertNoSocketsAfterClose, callGateway, keepSocketsPooled, seen, UPSTREAM_KEY } from '../../helpers/faults.js'
import { trackConnections } from '../../helpers/sockets.js'
import { recordingUpstream } from '../../helpers/upstream.js'

const TIMEOUT_MS = 1000

t.test('an upstream stalled before its headers is 504 upstream_timeout', async (t) => {
  let stalled: IncomingMessage | undefined
  let closedAfterMs: number | undefined
  const upstream = await recordingUpstream(t, (req) => {
    // Never answers. The request's 'close' is when latchkey gave up on it.
    const at = performance.now()
    stalled = req
    req.socket.once('close', () => { closedAfterMs = performance.now() - at })
  })
  keepSocketsPooled(upstream.server)
  const upstreamSockets = trackConnections(upstream.server)
  const lk = await startGateway(t, apiKeyGatewayYaml(upstream.url, `, upstream_timeout: ${TIMEOUT_MS}ms`), { secrets: { upstream_key: UPSTREAM_KEY } })
  const callers = trackConnections(lk.gateway.app.server)

  const res = await callGateway(lk.url, { path: '/proxy/api/stalls' })
  assertLatchkeyError(t, res, 504, 'upstream_timeout')
  t.ok(res.ms >= TIMEOUT_MS - 20, `not before upstream_timeout (${Math.round(res.ms)} ms)`)
  t.ok(res.ms < TIMEOUT_MS + 3000, `within upstream_timeout + 3 s (${Math.round(res.ms)} ms)`)
  t.ok(stalled !== undefined, 'the request did reach the upstream')
  t.equal(upstream.last().headers['x-api-key'], UPSTREAM_KEY, 'with the injected credential')

  // undici (7.30) reconnects right after an aborted request and closes that spare socket again
  // at once, so `accepted` may read 2; what counts is that none stays open.
  t.equal(await upstreamSockets.drained(3000), 0, 'latchkey closed the stalled upstream request\'s socket')
  t.ok(closedAfterMs !== undefined && closedAfterMs < TIMEOUT_MS + 3000, `the upstream saw its request closed (${Math.round(closedAfterMs ?? -1)} ms after it arrived)`)
  t.equal(await callers.drained(3000), 0, 'the caller connection is closed after the answer')

  await assertNoSocketsAfterClose(t, lk, { upstream: upstreamSockets, gateway: callers })
  assertNoSecrets(t, seen(lk, [res]), [UPSTREAM_KEY])
})
