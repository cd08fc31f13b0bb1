/**
 * SPEC 6.2 end to end: every caller kind (api key, user JWT checked against a JWKS served by a
 * real http server, anonymous) against every access outcome. A refused request is answered with
 * latchkey's JSON error and the upstream receives nothing.
 */
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import t from 'tap'
import { exportJWK, generateKeyPair, SignJWT, type JWK } from 'jose'
import { startGateway } from '../../helpers/gateway.js'
import { recordingUpstream } from '../../helpers/upstream.js'

const SECRETS = { svc_key: 'ck-svc-4a5b6c7d8e', other_key: 'ck-other-9f8e7d6c5b' }
const ISSUER = 'https://issuer.test/'
const AUDIENCE = 'latchkey'

async function jwksServer (t: { teardown (fn: () => unknown): void }, jwk: JWK): Promise<{ url: string, hits: () => number }> {
  let hits = 0
  const server = createServer((req, res) => {
    hits++
    if (req.url !== '/.well-known/jwks.json') {
      res.writeHead(404).end()
      return
    }
    res.writeHead(200, { 'content-type': 'application/json' })
    res.end(JSON.stringify({ keys: [jwk] }))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  t.teardown(() => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()) }))
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/.well-known/jwks.json`, hits: () => hits }
}

t.test('callers and access outcomes', async (t) => {
  const { publicKey, privateKey } = await generateKeyPair('RS256')
  const stranger = await generateKeyPair('RS256')
  const jwk = { ...(await exportJWK(publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' }
  const jwks = await jwksServer(t, jwk)
  const upstream = await recordingUpstream(t)
  const lk = await startGateway(t, `
server: { allow_private_upstreams: true }
callers:
  api_keys:
    svc: { key: "{{ get_secret('svc_key') }}" }
    other: { key: "{{ get_secret('other_key') }}" }
  jwt:
    issuer: ${ISSUER}
    audience: ${AUDIENCE}
    jwks_url: ${jwks.url}
    algorithms: [RS256]
    owner_claim: sub
connectors:
  api:
    base_url: ${upstream.url}
    auth: { methods: { none: { type: none } } }
  needs-user:
    base_url: ${upstream.url}
    headers: { X-User-Email: "{{ user.email }}" }
    auth: { methods: { none: { type: none } } }
connections:
  keyed: { connector: api, access: { callers: [svc] } }
  any-key: { connector: api, access: { callers: ["*"] } }
  users: { connector: api, access: { users: true } }
  owned: { connector: api, owner: user-1, access: { users: owner } }
  owned-nobody: { connector: api, access: { users: owner } }
  open: { connector: api, access: { anonymous: true } }
  closed: { connector: api }
  routes: { connector: api, access: { callers: [svc], allow: ["GET /v1/**"] } }
  user-tpl: { connector: needs-user, access: { callers: [svc], users: true } }
`, { secrets: SECRETS })

  const sign = (claims: Record<string, unknown>, options: { key?: Parameters<SignJWT['sign']>[0], aud?: string, iss?: string, exp?: number | string } = {}) =>
    new SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid: 'k1' }).setIssuer(options.iss ?? ISSUER)
      .setAudience(options.aud ?? AUDIENCE).setIssuedAt().setExpirationTime(options.exp ?? '5m')
      .sign(options.key ?? privateKey)
  const user1 = await sign({ sub: 'user-1', email: 'one@example.com' })
  const user2 = await sign({ sub: 'user-2', email: 'two@example.com' })

  const asKey = (key: string) => ({ 'x-latchkey-key': key })
  const asUser = (jwt: string) => ({ authorization: `Bearer ${jwt}` })
  const anonymous = {}

  const admitted = async (label: string, path: string, headers: Record<string, string>, method = 'GET') => {
    const before = upstream.received.length
    const res = await lk.fetch(path, { method, headers })
    t.equal(res.status, 200, `${label}: 200`)
    await res.arrayBuffer()
    t.equal(upstream.received.length, before + 1, `${label}: reached the upstream`)
    return upstream.last()
  }
  const refused = async (label: string, path: string, headers: Record<string, string>, status: number, code: string, method = 'GET') => {
    const before = upstream.received.length
    const res = await lk.fetch(path, { method, headers })
    t.equal(res.status, status, `${label}: ${status}`)
    t.match(res.headers.get('content-type'), /^application\/json/, `${label}: JSON error`)
    const body = await res.json() as { error: { code: string, message: string, request_id: string } }
    t.equal(body.error.code, code, `${label}: ${code}`)
    t.equal(body.error.request_id, res.headers.get('x-request-id'), `${label}: request_id matches X-Request-Id`)
    t.equal(upstream.received.length, before, `${label}: the upstream received nothing`)
    return { res, body }
  }

  t.test('api keys', async (t) => {
    await admitted('listed key', '/proxy/keyed/a', asKey(SECRETS.svc_key))
    await refused('wrong key', '/proxy/keyed/a', asKey('ck-svc-4a5b6c7d8f'), 401, 'unauthenticated')
    await refused('empty key', '/proxy/keyed/a', asKey(''), 401, 'unauthenticated')
    await refused('valid key not listed', '/proxy/keyed/a', asKey(SECRETS.other_key), 403, 'forbidden')
    await admitted('"*" admits any key', '/proxy/any-key/a', asKey(SECRETS.other_key))
    await refused('"*" still refuses a wrong key', '/proxy/any-key/a', asKey('nope'), 401, 'unauthenticated')
    await refused('"*" refuses anonymous', '/proxy/any-key/a', anonymous, 403, 'forbidden')
    await refused('"*" refuses users', '/proxy/any-key/a', asUser(user1), 403, 'forbidden')
    const seen = await admitted('a key decides; an Authorization next to it is ignored', '/proxy/keyed/a', { ...asKey(SECRETS.svc_key), ...asUser(user1) })
    t.equal(seen.headers.authorization, undefined, 'and stripped: the upstream never sees the caller\'s Authorization')
    await refused('a wrong key is not rescued by a valid user', '/proxy/users/a', { ...asKey('ck-wrong-1a2b3c'), ...asUser(user1) }, 401, 'unauthenticated')
  })

  t.test('user JWTs', async (t) => {
    await admitted('valid user, users: true', '/proxy/users/a', asUser(user1))
    const expired = await sign({ sub: 'user-1' }, { exp: Math.floor(Date.now() / 1000) - 60 })
    const { res } = await refused('expired', '/proxy/users/a', asUser(expired), 401, 'unauthenticated')
    t.match(res.headers.get('www-authenticate'), /^Bearer /, 'a bearer 401 carries a challenge')
    await refused('wrong audience', '/proxy/users/a', asUser(await sign({ sub: 'user-1' }, { aud: 'someone-else' })), 401, 'unauthenticated')
    await refused('wrong issuer', '/proxy/users/a', asUser(await sign({ sub: 'user-1' }, { iss: 'https://evil.test/' })), 401, 'unauthenticated')
    await refused('signed by another key', '/proxy/users/a', asUser(await sign({ sub: 'user-1' }, { key: stranger.privateKey })), 401, 'unauthenticated')
    await refused('not a JWT', '/proxy/users/a', asUser('abc.def.ghi'), 401, 'unauthenticated')
    await refused('Basic is not a latchkey credential: anonymous', '/proxy/users/a', { authorization: 'Basic dXNlcjpwdw==' }, 403, 'forbidden')
    await refused('api key on users-only', '/proxy/users/a', asKey(SECRETS.svc_key), 403, 'forbidden')
    await refused('anonymous on users-only', '/proxy/users/a', anonymous, 403, 'forbidden')

    await admitted('owner matches', '/proxy/owned/a', asUser(user1))
    await refused('owner does not match', '/proxy/owned/a', asUser(user2), 403, 'forbidden')
    await refused('users: owner with no owner', '/proxy/owned-nobody/a', asUser(user1), 403, 'forbidden')
    t.ok(jwks.hits() >= 1, 'the JWKS was fetched from the real server')
  })

  t.test('anonymous and the fail-closed default', async (t) => {
    await admitted('anonymous: true', '/proxy/open/a', anonymous)
    await refused('anonymous without anonymous: true', '/proxy/keyed/a', anonymous, 403, 'forbidden')
    await refused('bad key is never treated as anonymous', '/proxy/open/a', asKey('wrong'), 401, 'unauthenticated')
    await refused('expired JWT is never treated as anonymous', '/proxy/open/a',
      asUser(await sign({ sub: 'user-1' }, { exp: Math.floor(Date.now() / 1000) - 60 })), 401, 'unauthenticated')
    await refused('no access: anonymous', '/proxy/closed/a', anonymous, 403, 'forbidden')
    await refused('no access: api key', '/proxy/closed/a', asKey(SECRETS.svc_key), 403, 'forbidden')
    await refused('no access: user', '/proxy/closed/a', asUser(user1), 403, 'forbidden')
  })

  t.test('allow rules', async (t) => {
    const seen = await admitted('GET /v1/a/b', '/proxy/routes/v1/a/b?x=1', asKey(SECRETS.svc_key))
    t.equal(seen.url, '/v1/a/b?x=1')
    await admitted('GET /v1/a', '/proxy/routes/v1/a', asKey(SECRETS.svc_key))
    await refused('POST /v1/a', '/proxy/routes/v1/a', asKey(SECRETS.svc_key), 403, 'route_not_allowed', 'POST')
    await refused('DELETE /v1/a/b', '/proxy/routes/v1/a/b', asKey(SECRETS.svc_key), 403, 'route_not_allowed', 'DELETE')
    await refused('GET /v2/a', '/proxy/routes/v2/a', asKey(SECRETS.svc_key), 403, 'route_not_allowed')
    await refused('GET /v1x/a', '/proxy/routes/v1x/a', asKey(SECRETS.svc_key), 403, 'route_not_allowed')
    await refused('caller check comes first', '/proxy/routes/v2/a', asKey(SECRETS.other_key), 403, 'forbidden')
  })

  t.test('a template reading user.', async (t) => {
    await refused('api-key caller', '/proxy/user-tpl/a', asKey(SECRETS.svc_key), 401, 'user_required')
    const seen = await admitted('user caller', '/proxy/user-tpl/a', asUser(user1))
    t.equal(seen.headers['x-user-email'], 'one@example.com')
  })

  t.test('unknown connections', async (t) => {
    const a = await refused('unknown', '/proxy/no-such-conn/a', asKey(SECRETS.svc_key), 404, 'connection_not_found')
    const b = await refused('unknown, anonymous', '/proxy/no-such-conn/a', anonymous, 404, 'connection_not_found')
    await refused('unknown, bad key', '/proxy/no-such-conn/a', asKey('wrong'), 404, 'connection_not_found')
    await refused('invalid id', '/proxy/No_Such!/a', anonymous, 404, 'connection_not_found')
    t.equal(a.body.error.message, b.body.error.message, 'the same answer for every caller')
  })
})
