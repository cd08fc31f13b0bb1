/**
 * An upstream whose port refuses connections (nothing listens there) is 502
 * upstream_unreachable (SPEC 6.5), answered at once, with nothing of the credential latchkey
 * would have injected in the answer or the logs, and nothing left open: the caller's socket is
 * closed after the answer and latchkey closes its pools promptly (a connect attempt stuck in a
 * pool would hold the close). There is no upstream server to count sockets on: the refused
 * port has none.
 */
import type { AddressInfo } from 'node:net'
import t from 'tap'
import { assertNoSecrets, startGateway, type TestGateway } from '../../helpers/gateway.js'
import { apiKeyGatewayYaml, assertLatchkeyError, assertNoSocketsAfterClose, callGateway, seen, UPSTREAM_KEY } from '../../helpers/faults.js'
import { refuses, trackConnections } from '../../helpers/sockets.js'
import { closedPort } from '../../helpers/token-endpoint.js'

t.test('a refused upstream connection is 502 upstream_unreachable', async (t) => {
  // The gateway's own listen(0) may be given the port that was just freed (it then proxies to
  // itself): pick again until the port still refuses with the gateway up.
  let port: number
  let lk: TestGateway
  for (let attempt = 1; ; attempt++) {
    port = await closedPort()
    lk = await startGateway(t, apiKeyGatewayYaml(`http://127.0.0.1:${port}`), { secrets: { upstream_key: UPSTREAM_KEY } })
    if ((lk.gateway.app.server.address() as AddressInfo).port !== port && await refuses(port)) break
    await lk.close()
    if (attempt === 5) throw new Error('no refused port found in 5 attempts')
  }
  const callers = trackConnections(lk.gateway.app.server)

  const res = await callGateway(lk.url, { path: '/proxy/api/v1/items?q=1' })
  assertLatchkeyError(t, res, 502, 'upstream_unreachable')
  t.match(JSON.parse(res.text).error.message, /connection refused/, 'the message names the failure')
  t.notMatch(res.text, String(port), 'the message does not describe the upstream address')
  // A refused connect fails in milliseconds; the bound only catches a wait for some timeout
  // (connect timeout 10 s, upstream_timeout 30 s).
  t.ok(res.ms < 3000, `answered without waiting for a timeout (${Math.round(res.ms)} ms)`)

  t.equal(await callers.drained(3000), 0, 'the caller connection is closed after the answer')
  await assertNoSocketsAfterClose(t, lk, { gateway: callers })
  assertNoSecrets(t, seen(lk, [res]), [UPSTREAM_KEY])
})
