/**
 * The browser tests' gateway pair: one in this process (it hands out the link and serves the
 * page) and, where a test needs it, a second real `latchkey start` process, both on one Redis
 * (cache and store) with one master key, returning to a local page server.
 */
import { generateMasterKey, parseMasterKey } from '../../src/secrets/master-key.js'
import { openSealedStore } from '../../src/secrets/open-store.js'
import { returnPageServer, type ReturnPage } from './browser.js'
import { SECRETS, startConnectGateway } from './connect.js'
import type { TestGateway } from './gateway.js'
import { testRedis, type TeardownHost } from './redis.js'
import { recordingUpstream, type RecordingUpstream } from './upstream.js'

export interface ConnectE2e {
  lk: TestGateway
  upstream: RecordingUpstream
  app: ReturnPage
}

export async function startConnectE2e (t: TeardownHost): Promise<ConnectE2e> {
  const redis = await testRedis(t)
  const upstream = await recordingUpstream(t)
  const app = await returnPageServer(t)
  const masterKey = generateMasterKey()
  const storePrefix = `${redis.prefix}store:`
  const store = await openSealedStore({ type: 'redis', url: redis.url, key_prefix: storePrefix }, parseMasterKey(masterKey))
  for (const [name, value] of Object.entries(SECRETS)) await store.put('secret', name, value)
  await store.close()
  const extra = `cache: { type: redis, url: "${redis.url}", key_prefix: "${redis.prefix}" }
store: { type: redis, url: "${redis.url}", key_prefix: "${storePrefix}" }`
  const lk = await startConnectGateway(t, { upstream: upstream.url, extra, returnToOrigins: [app.origin] }, { env: { LATCHKEY_MASTER_KEY: masterKey } })
  return { lk, upstream, app }
}
