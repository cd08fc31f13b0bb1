/**
 * SPEC 7.1 and the connect issue's "rotation raced": two gateway processes sharing Redis (store
 * and cache), 12 concurrent requests per round, tokens that are due again every round, and a token
 * endpoint that rotates refresh tokens with reuse detection (a refresh token used twice revokes
 * the family). Every request is 200 and the endpoint never sees a refresh token twice: one
 * refresh per round across both processes (Redis lock, re-check, fresh read of the record).
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import t from 'tap'
import { generateMasterKey } from '../../../src/secrets/master-key.js'
import { startGatewayProcess } from '../../helpers/gateway-process.js'
import { CLIENT_SECRET, oauth2Config, putConnection, rotatingIssuer, storedOAuth2Body } from '../../helpers/oauth2-refresh.js'
import { testRedis } from '../../helpers/redis.js'
import { CALLER, KEYS, sealIntoRedis } from '../../helpers/stored-connections.js'
import { tokenEndpoint } from '../../helpers/token-endpoint.js'
import { recordingUpstream } from '../../helpers/upstream.js'

const ROUNDS = 5
const CONCURRENT = 12

t.test('two gateways race the refresh of one rotating connection', async (t) => {
  const redis = await testRedis(t)
  const idp = await tokenEndpoint(t)
  const issuer = rotatingIssuer(idp, 'rt-0', { expiresIn: 2 })
  const upstream = await recordingUpstream(t)
  const yaml = oauth2Config({ tokenUrl: `${idp.url}/token`, upstreamUrl: upstream.url, redis })
    .replace('server: { allow_private_upstreams: true }', 'server: { host: 127.0.0.1, port: 0, allow_private_upstreams: true, log_level: info }')
  const env = { LATCHKEY_MASTER_KEY: generateMasterKey() }
  await sealIntoRedis(redis, env.LATCHKEY_MASTER_KEY, { ...KEYS, client_secret: CLIENT_SECRET })
  const dir = await mkdtemp(path.join(tmpdir(), 'latchkey-rotation-'))
  t.teardown(() => rm(dir, { recursive: true, force: true }))
  const configFile = path.join(dir, 'latchkey.yaml')
  await writeFile(configFile, yaml)
  const processes = await Promise.all([startGatewayProcess(t, configFile, env, dir), startGatewayProcess(t, configFile, env, dir)])
  const gateways = processes.map((p) => ({ fetch: (route: string, init?: RequestInit) => fetch(p.url + route, init) }))
  t.equal((await putConnection(gateways[0]!, 'raced', storedOAuth2Body({ access: 'at-0', refresh: 'rt-0', due: true }))).status, 201)

  const statuses: number[] = []
  for (let round = 1; round <= ROUNDS; round++) {
    const answers = await Promise.all(Array.from({ length: CONCURRENT }, async (_, i) => {
      const res = await gateways[i % 2]!.fetch('/proxy/raced/v1/x', { headers: CALLER })
      await res.arrayBuffer()
      return res.status
    }))
    statuses.push(...answers)
    // Past the 1 s refresh time of a 2 s token: the next round needs a refresh again.
    await new Promise((resolve) => setTimeout(resolve, 1_300))
  }
  t.same(statuses.filter((s) => s !== 200), [], `all ${ROUNDS * CONCURRENT} requests are 200`)
  t.equal(issuer.reuses(), 0, 'no refresh token was presented twice')
  t.ok(idp.requests.length >= ROUNDS && idp.requests.length <= ROUNDS + 1, `about one refresh per round (${idp.requests.length})`)
  const stored = await (await gateways[1]!.fetch('/admin/connections/raced', { headers: { 'x-latchkey-key': KEYS.admin_key } })).json() as { status: string }
  t.equal(stored.status, 'connected', 'still connected')
  t.ok(idp.requests.every((r, i) => i === 0 || r.form.get('refresh_token') !== idp.requests[i - 1]!.form.get('refresh_token')), 'no two refreshes in a row presented the same refresh token')
})
