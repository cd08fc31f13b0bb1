/**
 * SPEC 4/7.1: tokens cached in Redis are sealed. A raw scan of every key and value under the
 * prefix finds no access token (plain or base64), no client secret or id; a sealed token moved
 * under another key fails to open there and is never served (the key is associated data).
 */
import t from 'tap'
import { generateMasterKey } from '../../src/secrets/master-key.js'
import { startGateway } from '../helpers/gateway.js'
import { testRedis } from '../helpers/redis.js'
import { tokenEndpoint } from '../helpers/token-endpoint.js'
import { recordingUpstream } from '../helpers/upstream.js'

const CLIENT_SECRET = 'cs-sealed-5e6f7a8b9c'

t.test('tokens in Redis are sealed and bound to their key', async (t) => {
  const redis = await testRedis(t)
  const idp = await tokenEndpoint(t)
  const upstream = await recordingUpstream(t)
  const masterKey = generateMasterKey()
  const yaml = `
server: { allow_private_upstreams: true }
cache: { type: redis, url: "${redis.url}", key_prefix: "${redis.prefix}" }
connectors:
  api:
    base_url: ${upstream.url}
    auth:
      methods:
        cc: { type: oauth_client_credentials, token_url: "${idp.url}", client_id: "sealed-client-{{ connection.id }}", client_secret: ${CLIENT_SECRET}, scope: "scope-{{ connection.id }}" }
connections:
  first: { connector: api, access: { anonymous: true } }
  second: { connector: api, access: { anonymous: true } }
`
  const start = () => startGateway(t, yaml, { env: { LATCHKEY_MASTER_KEY: masterKey } })
  const lk = await start()
  const bearer = async (gw: typeof lk, conn: string) => {
    const res = await gw.fetch(`/proxy/${conn}/x`)
    t.equal(res.status, 200)
    await res.text()
    return upstream.last().headers.authorization
  }
  t.equal(await bearer(lk, 'first'), `Bearer ${idp.issued[0]}`)
  t.equal(await bearer(lk, 'second'), `Bearer ${idp.issued[1]}`)

  const keys = (await redis.client.keys(`${redis.prefix}*`)).sort()
  const tokenKeys = keys.filter((k) => k.startsWith(`${redis.prefix}token:`))
  t.equal(tokenKeys.length, 2, 'one record per token')
  const values = await Promise.all(keys.map(async (k) => (await redis.client.type(k)) === 'string' ? await redis.client.get(k) ?? '' : ''))
  const raw = [...keys, ...values].join('\n')
  const forbidden = [
    ...idp.issued,
    ...idp.issued.map((tok) => Buffer.from(tok).toString('base64')),
    ...idp.issued.map((tok) => Buffer.from(tok).toString('base64url')),
    CLIENT_SECRET, 'sealed-client', 'scope-first', 'access_token',
  ]
  for (const text of forbidden) t.notOk(raw.includes(text), `no ${text.slice(0, 8)}… in Redis keys or values`)
  for (const key of tokenKeys) {
    t.match(key.slice(`${redis.prefix}token:`.length), /^\{[A-Za-z0-9_-]{43}\}$/, 'the key name is an opaque digest (HMAC-SHA256, base64url) in its hash tag')
  }
  for (const value of values.filter((v) => v !== '')) {
    const record = JSON.parse(value) as Record<string, unknown>
    t.same(Object.keys(record).sort(), ['ct', 'kid', 'nonce', 'v'], 'a sealed record')
  }

  // Swap the two sealed values: each now sits under the other's key and must not open there.
  const [a, b] = tokenKeys as [string, string]
  const [va, vb] = [await redis.client.get(a), await redis.client.get(b)]
  await redis.client.set(a, vb!, 'PX', 60_000)
  await redis.client.set(b, va!, 'PX', 60_000)
  const fresh = await start() // empty in-process tier: it must go to Redis
  t.equal(await bearer(fresh, 'first'), `Bearer ${idp.issued[2]}`, 'a moved record is not served: a new token is fetched')
  t.equal(await bearer(fresh, 'second'), `Bearer ${idp.issued[3]}`)
  t.equal(idp.requests.length, 4)

  // A gateway with another master key cannot read them either.
  const stranger = await startGateway(t, yaml, { env: { LATCHKEY_MASTER_KEY: generateMasterKey() } })
  t.equal(await bearer(stranger, 'first'), `Bearer ${idp.issued[4]}`, 'another master key: another key space, a new token')
})
