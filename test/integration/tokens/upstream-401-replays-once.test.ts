/**
 * SPEC 7.1: an upstream 401 on a token-based method purges the cached token, obtains a new one
 * and replays the request once when its body is replayable (none, or buffered up to 1 MiB). A
 * second 401 goes to the caller: no loop. Static methods and large bodies are never replayed.
 */
import t, { type Test } from 'tap'
import { startGateway } from '../../helpers/gateway.js'
import { testRedis } from '../../helpers/redis.js'
import { tokenEndpoint } from '../../helpers/token-endpoint.js'
import { recordingUpstream } from '../../helpers/upstream.js'

function replayTests (name: string, cache: (t: Test) => Promise<string>) {
  t.test(name, async (t) => {
    const idp = await tokenEndpoint(t)
    // Tokens the upstream has "revoked"; `always` rejects every token of the /always path.
    const revoked = new Set<string>()
    const upstream = await recordingUpstream(t, (req, res) => {
      const token = (req.headers.authorization ?? '').replace(/^Bearer /, '')
      if (revoked.has(token) || req.url?.startsWith('/always') === true) {
        res.writeHead(401, { 'content-type': 'application/json', 'www-authenticate': 'Bearer error="invalid_token"' })
        res.end('{"error":"invalid_token","from":"upstream"}')
        return
      }
      res.writeHead(200, { 'content-type': 'application/json' })
      res.end(JSON.stringify({ ok: true }))
    })
    const lk = await startGateway(t, `
server: { allow_private_upstreams: true }
${await cache(t)}
connectors:
  api:
    base_url: ${upstream.url}
    auth:
      default: cc
      methods:
        cc: { type: oauth_client_credentials, token_url: "${idp.url}", client_id: replay-client, client_secret: "{{ get_secret('cs') }}" }
        static: { type: bearer, token: "{{ get_secret('static_token') }}" }
connections:
  api: { connector: api, access: { anonymous: true } }
  fixed: { connector: api, auth: static, access: { anonymous: true } }
`, { secrets: { cs: 'cs-replay-0f1e2d', static_token: 'st-static-abcdef' } })
    const count = () => ({ upstream: upstream.received.length, tokens: idp.requests.length })

    await t.test('GET: purge, new token, replay once', async (t) => {
      let res = await lk.fetch('/proxy/api/items')
      t.equal(res.status, 200)
      await res.text()
      t.same(count(), { upstream: 1, tokens: 1 })
      revoked.add(idp.issued[0]!)

      res = await lk.fetch('/proxy/api/items?page=2')
      t.equal(res.status, 200, 'the caller sees the replayed answer')
      t.same(await res.json(), { ok: true })
      t.same(count(), { upstream: 3, tokens: 2 }, 'one rejected request, one new token, one replay')
      const [rejected, replayed] = upstream.received.slice(1)
      t.equal(rejected!.headers.authorization, `Bearer ${idp.issued[0]}`)
      t.equal(replayed!.headers.authorization, `Bearer ${idp.issued[1]}`, 'the replay carries the new token')
      t.equal(replayed!.url, '/items?page=2')
      t.equal(replayed!.method, 'GET')

      res = await lk.fetch('/proxy/api/items')
      t.equal(res.status, 200)
      await res.text()
      t.same(count(), { upstream: 4, tokens: 2 }, 'the new token is cached')
      t.equal(upstream.last().headers.authorization, `Bearer ${idp.issued[1]}`)
    })

    await t.test('POST with a small JSON body is replayed with the same body', async (t) => {
      revoked.add(idp.issued.at(-1)!)
      const before = count()
      const body = JSON.stringify({ name: 'Ada', tags: ['x', 'y'], n: 42 })
      const res = await lk.fetch('/proxy/api/things', { method: 'POST', body, headers: { 'content-type': 'application/json', 'x-trace': 't-1' } })
      t.equal(res.status, 200)
      await res.text()
      t.same(count(), { upstream: before.upstream + 2, tokens: before.tokens + 1 })
      const [first, second] = upstream.received.slice(-2)
      for (const seen of [first!, second!]) {
        t.equal(seen.method, 'POST')
        t.equal(seen.body.toString(), body, 'the same body bytes')
        t.equal(seen.headers['content-type'], 'application/json')
        t.equal(seen.headers['x-trace'], 't-1')
        t.equal(seen.headers['content-length'], String(Buffer.byteLength(body)))
      }
      t.equal(second!.headers.authorization, `Bearer ${idp.issued.at(-1)}`)
      t.not(first!.headers.authorization, second!.headers.authorization)
    })

    await t.test('a second 401 is passed to the caller', async (t) => {
      const before = count()
      const res = await lk.fetch('/proxy/api/always', { method: 'PUT', body: 'x=1', headers: { 'content-type': 'application/x-www-form-urlencoded' } })
      t.equal(res.status, 401, 'the upstream 401 reaches the caller')
      t.equal(res.headers.get('www-authenticate'), 'Bearer error="invalid_token"')
      t.same(await res.json(), { error: 'invalid_token', from: 'upstream' }, 'unchanged')
      t.same(count(), { upstream: before.upstream + 2, tokens: before.tokens + 1 }, 'exactly one replay, no loop')
      t.equal(upstream.last().body.toString(), 'x=1')
    })

    await t.test('a body over 1 MiB is streamed and not replayed', async (t) => {
      revoked.add(idp.issued.at(-1)!)
      const before = count()
      const big = Buffer.alloc(1024 * 1024 + 1, 0x61)
      const res = await lk.fetch('/proxy/api/upload', { method: 'POST', body: big, headers: { 'content-type': 'application/octet-stream' } })
      t.equal(res.status, 401, 'the 401 goes to the caller')
      await res.text()
      t.equal(count().upstream, before.upstream + 1, 'no replay')
      t.equal(upstream.last().body.length, big.length, 'the body was forwarded whole')
    })

    await t.test('a static method is never replayed', async (t) => {
      revoked.add('st-static-abcdef')
      const before = count()
      const res = await lk.fetch('/proxy/fixed/items')
      t.equal(res.status, 401)
      await res.text()
      t.same(count(), { upstream: before.upstream + 1, tokens: before.tokens })
    })
  })
}

replayTests('memory cache', async () => 'cache: { type: memory }')
replayTests('redis cache', async (t) => {
  const redis = await testRedis(t)
  return `cache: { type: redis, url: "${redis.url}", key_prefix: "${redis.prefix}" }`
})
