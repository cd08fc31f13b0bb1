/**
 * SPEC 8.1: a connection created, replaced or deleted through one gateway is served (or
 * refused) by another sharing the Redis store on its next request, with no reload: the write
 * and its pub/sub announcement are one transaction, and the other gateway drops its compiled
 * copy on the announcement.
 */
import t from 'tap'
import { generateMasterKey } from '../../../src/secrets/master-key.js'
import { startGateway } from '../../helpers/gateway.js'
import { testRedis } from '../../helpers/redis.js'
import { ADMIN, CALLER, KEYS, sealIntoRedis, storedConnectionsConfig, weatherBody } from '../../helpers/stored-connections.js'
import { recordingUpstream } from '../../helpers/upstream.js'

t.test('two gateways, one Redis store', async (t) => {
  const redis = await testRedis(t)
  const upstream = await recordingUpstream(t)
  const yaml = storedConnectionsConfig({ upstreamUrl: upstream.url, redis })
  const env = { LATCHKEY_MASTER_KEY: generateMasterKey() }
  await sealIntoRedis(redis, env.LATCHKEY_MASTER_KEY, KEYS)
  const a = await startGateway(t, yaml, { env })
  const b = await startGateway(t, yaml, { env })
  const viaB = async () => {
    const res = await b.fetch('/proxy/shared/v1', { headers: CALLER })
    await res.arrayBuffer()
    return res.status
  }

  t.equal(await viaB(), 404, 'b: unknown at first (and remembered as unknown)')
  for (let round = 1; round <= 5; round++) {
    const key = `rotating-key-${round}`
    const put = await a.fetch('/admin/connections/shared', { method: 'PUT', headers: ADMIN, body: weatherBody(key) })
    t.equal(put.status, round === 1 ? 201 : 200, `round ${round}: a stored it`)
    t.equal(await viaB(), 200, `round ${round}: b serves it on its next request`)
    t.equal(upstream.last().headers['x-api-key'], key, `round ${round}: with the new credentials`)
  }
  t.equal((await a.fetch('/admin/connections/shared', { method: 'DELETE', headers: { 'x-latchkey-key': ADMIN['x-latchkey-key'] } })).status, 204)
  t.equal(await viaB(), 404, 'b refuses it on its next request after the delete')
})
