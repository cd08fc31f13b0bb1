/**
 * Redis stalls (its process is SIGSTOPped for 3 s: the TCP connections stay open and nothing
 * is answered, which a dead Redis never does) while `cache.type: redis` holds the tokens of an
 * oauth_client_credentials connection. What latchkey does, and this file pins:
 * - a token already cached is served from the in-process tier: 200 with the same token, no
 *   token request, no Redis round trip (so no wait on the stall);
 * - a token not cached yet waits out the Redis command timeout (1 s) on its shared-tier read,
 *   then is fetched directly from the token endpoint: 200 with a new token;
 * - nothing waits past a few seconds, and after SIGCONT new tokens go to Redis again.
 * The server is private (its own port) so the stall cannot touch other test files. After the
 * gateway closes, Redis lists no client of latchkey's (CLIENT LIST), and the upstream, token
 * endpoint and gateway hold no socket.
 */
import { Redis } from 'ioredis'
import t from 'tap'
import { setTimeout as sleep } from 'node:timers/promises'
import { assertNoSecrets, startGateway } from '../../helpers/gateway.js'
import { assertNoSocketsAfterClose, type CallerResult, callGateway, keepSocketsPooled, seen } from '../../helpers/faults.js'
import { startRedisServer } from '../../helpers/redis.js'
import { trackConnections } from '../../helpers/sockets.js'
import { tokenEndpoint } from '../../helpers/token-endpoint.js'
import { recordingUpstream } from '../../helpers/upstream.js'

const STALL_MS = 3000
const PREFIX = 'lk-stall:'
const CLIENT_SECRET = `cs-stall-${Math.random().toString(36).slice(2)}-4d3c`

t.test('a stalled Redis never hangs token requests', async (t) => {
  const redis = await startRedisServer(t)
  // The test's own view of Redis: short timeouts, so it can tell the stall is real.
  const probe = new Redis(redis.url, { lazyConnect: true, commandTimeout: 300, maxRetriesPerRequest: 0, enableOfflineQueue: false })
  probe.on('error', () => {})
  await probe.connect()
  await probe.client('SETNAME', 'test-probe')
  t.teardown(() => { probe.disconnect() })

  const idp = await tokenEndpoint(t)
  keepSocketsPooled(idp.server!)
  const idpSockets = trackConnections(idp.server!)
  const upstream = await recordingUpstream(t)
  keepSocketsPooled(upstream.server)
  const upstreamSockets = trackConnections(upstream.server)
  const connection = (id: string) => `
  ${id}: { connector: api, access: { anonymous: true }, config: { id: ${id} } }`
  const lk = await startGateway(t, `
server: { allow_private_upstreams: true }
cache: { type: redis, url: "${redis.url}", key_prefix: "${PREFIX}" }
connectors:
  api:
    base_url: ${upstream.url}
    auth:
      methods:
        cc: { type: oauth_client_credentials, token_url: "${idp.url}", client_id: "stall-{{ connection.config.id }}", client_secret: "{{ get_secret('cs') }}" }
connections:${connection('warm')}${connection('cold')}${connection('after')}
`, { secrets: { cs: CLIENT_SECRET } })
  const callers = trackConnections(lk.gateway.app.server)
  const responses: CallerResult[] = []
  const call = async (id: string) => {
    const res = await callGateway(lk.url, { path: `/proxy/${id}/v1/items` })
    responses.push(res)
    return { ...res, bearer: upstream.last().headers.authorization }
  }
  const tokenKeys = async () => (await probe.keys(`${PREFIX}token:*`)).length

  let r = await call('warm')
  t.equal(r.status, 200, 'warm: token fetched')
  t.equal(r.bearer, `Bearer ${idp.issued[0]}`)
  t.equal(await tokenKeys(), 1, 'and stored in Redis')

  redis.signal('SIGSTOP')
  const stalledAt = performance.now()
  t.teardown(() => redis.signal('SIGCONT'))
  await t.rejects(probe.ping(), 'Redis answers nothing while stopped')

  r = await call('warm')
  t.equal(r.status, 200, 'cached token during the stall: served')
  t.equal(r.bearer, `Bearer ${idp.issued[0]}`, 'the same token, from the in-process tier')
  t.equal(idp.requests.length, 1, 'no token request')
  t.ok(r.ms < 2000, `no wait on the stalled Redis (${Math.round(r.ms)} ms)`)

  const before = idp.requests.length
  r = await call('cold')
  t.equal(r.status, 200, 'uncached token during the stall: served')
  t.equal(idp.requests.length, before + 1, 'fetched directly from the token endpoint')
  t.equal(r.bearer, `Bearer ${idp.issued.at(-1)}`, 'with the new token')
  t.ok(r.ms >= 900, `after waiting out the 1 s Redis command timeout (${Math.round(r.ms)} ms)`)
  t.ok(r.ms < 1000 + 3000, `and no longer than command timeout + 3 s (${Math.round(r.ms)} ms)`)

  r = await call('cold')
  t.equal(r.status, 200, 'the directly fetched token is kept in the process')
  t.equal(idp.requests.length, before + 1, 'no second token request')
  t.ok(r.ms < 2000, `no wait on the stalled Redis (${Math.round(r.ms)} ms)`)

  const stillStalled = STALL_MS - (performance.now() - stalledAt)
  t.ok(stillStalled > 0, `the requests above ran during the stall (${Math.round(stillStalled)} ms of it left)`)
  await sleep(Math.max(0, stillStalled))
  redis.signal('SIGCONT')
  t.equal(await probe.ping(), 'PONG', 'Redis answers again')

  r = await call('warm')
  t.equal(r.status, 200, 'after the stall: served')
  t.equal(r.bearer, `Bearer ${idp.issued[0]}`)
  r = await call('after')
  t.equal(r.status, 200, 'a new token after the stall')
  t.equal(r.bearer, `Bearer ${idp.issued.at(-1)}`)
  t.equal(await tokenKeys(), 2, 'stored in Redis again')
  t.equal(idp.requests.length, 3, 'one token request per connection in all')

  await assertNoSocketsAfterClose(t, lk, { 'token endpoint': idpSockets, upstream: upstreamSockets, gateway: callers })
  const clients = (await probe.client('LIST') as string).split('\n').filter((l) => l !== '')
  t.same(clients.map((l) => /name=(\S*)/.exec(l)?.[1]), ['test-probe'], 'Redis has no client of latchkey\'s left')
  assertNoSecrets(t, seen(lk, responses), [CLIENT_SECRET, ...idp.issued])
})
