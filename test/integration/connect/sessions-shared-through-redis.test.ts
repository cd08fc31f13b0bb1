/**
 * SPEC 8: sessions live in the cache, so with a Redis cache any gateway process serves any step:
 * the link is made on one, the page and the submit served by another, and the connection then
 * proxies on both (the store is Redis too). Redis holds the token's digest, never the token.
 */
import t from 'tap'
import { generateMasterKey, parseMasterKey } from '../../../src/secrets/master-key.js'
import { openSealedStore } from '../../../src/secrets/open-store.js'
import { testRedis } from '../../helpers/redis.js'
import { recordingUpstream } from '../../helpers/upstream.js'
import { APP_KEY, SECRETS, createSession, startConnectGateway, submitForm } from '../../helpers/connect.js'

t.test('a session made on one gateway is completed on another', async (t) => {
  const redis = await testRedis(t)
  const upstream = await recordingUpstream(t)
  const extra = `cache: { type: redis, url: "${redis.url}", key_prefix: "${redis.prefix}" }
store: { type: redis, url: "${redis.url}", key_prefix: "${redis.prefix}store:" }`
  const env = { LATCHKEY_MASTER_KEY: generateMasterKey() }
  // The caller secrets go into the shared Redis store (startGateway seals into a file store).
  const store = await openSealedStore({ type: 'redis', url: redis.url, key_prefix: `${redis.prefix}store:` }, parseMasterKey(env.LATCHKEY_MASTER_KEY))
  for (const [name, value] of Object.entries(SECRETS)) await store.put('secret', name, value)
  await store.close()
  const a = await startConnectGateway(t, { upstream: upstream.url, extra }, { env })
  const b = await startConnectGateway(t, { upstream: upstream.url, extra }, { env })

  const { status, body } = await createSession(a, { connector: 'weather', connection: 'shared-w' })
  t.equal(status, 201)
  const keys = await redis.client.keys(`${redis.prefix}connect:session:*`)
  t.equal(keys.length, 1)
  t.match(keys[0], /connect:session:[0-9a-f]{64}$/, 'keyed by the token digest')
  t.notOk(keys[0]!.includes(body.token))
  t.notOk((await redis.client.get(keys[0]!))!.includes(body.token), 'the token is not stored')
  const ttl = await redis.client.pttl(keys[0]!)
  t.ok(ttl > 14 * 60_000 && ttl <= 15 * 60_000, 'expires with the session')

  t.equal((await b.fetch(`/connect/${body.token}`)).status, 200, 'the page on the other gateway')
  t.equal((await submitForm(b, body.token, { subdomain: 'acme', api_key: 'shared-key-1a2b3c' })).status, 200)
  t.equal((await submitForm(a, body.token, { subdomain: 'acme', api_key: 'shared-key-1a2b3c' })).status, 410, 'used, on either')

  for (const lk of [a, b]) {
    const res = await lk.fetch('/proxy/shared-w/v1/current', { headers: { 'x-latchkey-key': APP_KEY } })
    t.equal(res.status, 200)
    t.equal(upstream.last().headers['x-api-key'], 'shared-key-1a2b3c')
  }
})
