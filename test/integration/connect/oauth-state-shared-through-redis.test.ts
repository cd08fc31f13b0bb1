/**
 * SPEC 8: OAuth state lives in the cache, so with Redis the authorize redirect can come from one
 * gateway and the callback go to another. Redis holds the state's SHA-256 as key, never the
 * state; its TTL is 10 minutes; taking it is one script, so a replay on either gateway is
 * invalid_state.
 */
import { createHash } from 'node:crypto'
import t from 'tap'
import { generateMasterKey, parseMasterKey } from '../../../src/secrets/master-key.js'
import { openSealedStore } from '../../../src/secrets/open-store.js'
import { testRedis } from '../../helpers/redis.js'
import { APP_KEY, JWT_SECRET } from '../../helpers/connect.js'
import { startGateway } from '../../helpers/gateway.js'
import { acmeConnector, callCallback, CLIENT_SECRET, cookiePair, oauthProvider, oauthSession, oauthYaml } from '../../helpers/oauth-provider.js'
import { submitForm } from '../../helpers/connect.js'

t.test('authorize on one gateway, callback on another', async (t) => {
  const redis = await testRedis(t)
  const provider = await oauthProvider(t)
  const yaml = `${oauthYaml({ connectors: acmeConnector(provider) })}
cache: { type: redis, url: "${redis.url}", key_prefix: "${redis.prefix}" }
store: { type: redis, url: "${redis.url}", key_prefix: "${redis.prefix}store:" }`
  const env = { LATCHKEY_MASTER_KEY: generateMasterKey() }
  const store = await openSealedStore({ type: 'redis', url: redis.url, key_prefix: `${redis.prefix}store:` }, parseMasterKey(env.LATCHKEY_MASTER_KEY))
  for (const [name, value] of Object.entries({ app_key: APP_KEY, jwt_secret: JWT_SECRET, client_secret: CLIENT_SECRET })) await store.put('secret', name, value)
  await store.close()
  const a = await startGateway(t, yaml, { env })
  const b = await startGateway(t, yaml, { env })

  const token = await oauthSession(a, { connection: 'acme-shared', return_to: 'https://app.example.com/' })
  const submit = await submitForm(a, token, {}, 'oauth')
  t.equal(submit.status, 302)
  const state = new URL(submit.headers.get('location')!).searchParams.get('state')!
  const keys = await redis.client.keys(`${redis.prefix}connect:oauth:*`)
  t.same(keys, [`${redis.prefix}connect:oauth:${createHash('sha256').update(state).digest('hex')}`], 'keyed by the state digest')
  const value = (await redis.client.get(keys[0]!))!
  t.notOk(value.includes(state), 'the state is not stored')
  const ttl = await redis.client.pttl(keys[0]!)
  t.ok(ttl > 9 * 60_000 && ttl <= 10 * 60_000, '10 minutes')

  const back = await fetch(submit.headers.get('location')!, { redirect: 'manual' })
  const callback = new URL(back.headers.get('location')!)
  const cookie = cookiePair(submit.headers.get('set-cookie'))
  const done = await callCallback(b, callback, cookie)
  t.equal(done.headers.get('location'), 'https://app.example.com/?connection=acme-shared&status=connected')
  t.ok(await a.gateway.connections.stored('acme-shared'))
  const used = (await redis.client.get(keys[0]!))!
  t.notOk(used.includes('verifier'), 'a used state keeps nothing secret')

  for (const lk of [a, b]) {
    const again = await callCallback(lk, callback, cookie)
    t.equal(again.headers.get('location'), 'https://app.example.com/?connection=acme-shared&status=error&error=invalid_state')
  }
  t.equal(provider.tokenRequests.length, 1)
  const proxied = await b.fetch('/proxy/acme-shared/x', { headers: { 'x-latchkey-key': APP_KEY } })
  t.equal(proxied.status, 200)
})
