/**
 * SPEC 8.1 with the file store: another gateway sharing the store folder serves a created,
 * replaced or deleted connection after its next re-check of the file (every 500 ms), with no
 * reload; the writing gateway serves it on its very next request.
 */
import path from 'node:path'
import t from 'tap'
import { generateMasterKey } from '../../../src/secrets/master-key.js'
import { startGateway, type TestGateway } from '../../helpers/gateway.js'
import { ADMIN, CALLER, KEYS, storedConnectionsConfig, weatherBody } from '../../helpers/stored-connections.js'
import { recordingUpstream } from '../../helpers/upstream.js'

async function statusWithin (gw: TestGateway, expected: number, ms: number): Promise<number> {
  const deadline = Date.now() + ms
  for (;;) {
    const res = await gw.fetch('/proxy/shared/v1', { headers: CALLER })
    await res.arrayBuffer()
    if (res.status === expected || Date.now() > deadline) return res.status
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}

t.test('two gateways, one store folder', async (t) => {
  const upstream = await recordingUpstream(t)
  const env = { LATCHKEY_MASTER_KEY: generateMasterKey() }
  const a = await startGateway(t, storedConnectionsConfig({ upstreamUrl: upstream.url }), { secrets: KEYS, env })
  const shared = `${storedConnectionsConfig({ upstreamUrl: upstream.url })}\nstore: { type: file, path: ${JSON.stringify(path.join(a.dir, 'data'))} }\n`
  const b = await startGateway(t, shared, { env })

  t.equal(await statusWithin(b, 404, 0), 404, 'b: unknown at first')
  for (let round = 1; round <= 3; round++) {
    const key = `file-store-key-${round}`
    t.equal((await a.fetch('/admin/connections/shared', { method: 'PUT', headers: ADMIN, body: weatherBody(key) })).status, round === 1 ? 201 : 200)
    const res = await a.fetch('/proxy/shared/v1', { headers: CALLER })
    await res.arrayBuffer()
    t.equal(upstream.last().headers['x-api-key'], key, `round ${round}: a serves it at once`)
    // Within two re-check intervals, with room for a loaded machine.
    const deadline = Date.now() + 5_000
    while (Date.now() < deadline) {
      await statusWithin(b, 200, 5_000)
      if (upstream.last().headers['x-api-key'] === key) break
      await new Promise((resolve) => setTimeout(resolve, 50))
    }
    t.equal(upstream.last().headers['x-api-key'], key, `round ${round}: b serves the new credentials`)
  }
  t.equal((await a.fetch('/admin/connections/shared', { method: 'DELETE', headers: { 'x-latchkey-key': ADMIN['x-latchkey-key'] } })).status, 204)
  t.equal(await statusWithin(b, 404, 5_000), 404, 'b refuses it after the delete')
})
