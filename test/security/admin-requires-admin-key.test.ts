/**
 * Every admin route refuses everyone but an api-key caller with `admin: true`: anonymous, a
 * wrong key, a non-admin key (also with `admin: false` spelled out), a verified user and a
 * non-Bearer Authorization header. A refused call has no effect: the connection test never
 * reaches the upstream and a reload never happens.
 */
import { readFile, writeFile } from 'node:fs/promises'
import t from 'tap'
import { SignJWT } from 'jose'
import { startGateway } from '../helpers/gateway.js'
import { recordingUpstream } from '../helpers/upstream.js'

const SECRETS = {
  ops_key: 'ak-ops-admin-0f1e2d3c4b',
  svc_key: 'ck-svc-5a6b7c8d9e',
  ro_key: 'ck-ro-1b2c3d4e5f',
  user_hs: 'hs256-user-session-secret-fedcba9876543210',
}

const ROUTES: Array<[string, string]> = [
  ['GET', '/admin/connectors'],
  ['GET', '/admin/connectors/api'],
  ['GET', '/admin/connectors/github'],
  ['GET', '/admin/connectors/no-such-connector'],
  ['GET', '/admin/connections'],
  ['GET', '/admin/connections/open'],
  ['GET', '/admin/connections/no-such-connection'],
  ['POST', '/admin/connections/open/test'],
  ['POST', '/admin/reload'],
]

t.test('no admin route answers anyone but an admin api key', async (t) => {
  const upstream = await recordingUpstream(t)
  const lk = await startGateway(t, `
server: { allow_private_upstreams: true }
callers:
  api_keys:
    ops: { key: "{{ get_secret('ops_key') }}", admin: true }
    svc: { key: "{{ get_secret('svc_key') }}" }
    ro: { key: "{{ get_secret('ro_key') }}", admin: false }
  jwt:
    issuer: https://issuer.test/
    audience: latchkey
    secret: "{{ get_secret('user_hs') }}"
connectors:
  api:
    base_url: ${upstream.url}
    auth: { methods: { none: { type: none } } }
    test: { path: /ping }
connections:
  open: { connector: api, access: { anonymous: true, callers: ["*"], users: true } }
`, { secrets: SECRETS })
  // A config a successful reload would pick up.
  const original = await readFile(lk.configFile, 'utf8')
  await writeFile(lk.configFile, original.replace('connections:\n', 'connections:\n  sneaked: { connector: api, access: { anonymous: true } }\n'))

  const user = await new SignJWT({ sub: 'user-1' }).setProtectedHeader({ alg: 'HS256' }).setIssuer('https://issuer.test/')
    .setAudience('latchkey').setIssuedAt().setExpirationTime('5m').sign(new TextEncoder().encode(SECRETS.user_hs))
  // Each of these may call the data plane; none may call /admin.
  t.equal((await lk.fetch('/proxy/open/x', { headers: { authorization: `Bearer ${user}` } })).status, 200, 'the user token is valid')

  const callers: Array<[string, Record<string, string>, number]> = [
    ['anonymous', {}, 401],
    ['a wrong key', { 'x-latchkey-key': 'ak-guess-0000000000' }, 401],
    ['an empty key', { 'x-latchkey-key': '' }, 401],
    ['a non-admin key', { 'x-latchkey-key': SECRETS.svc_key }, 403],
    ['a key with admin: false', { 'x-latchkey-key': SECRETS.ro_key }, 403],
    ['a verified user', { authorization: `Bearer ${user}` }, 403],
    ['Basic auth (not a latchkey caller)', { authorization: `Basic ${Buffer.from(`ops:${SECRETS.ops_key}`).toString('base64')}` }, 401],
    ['an admin key as a bearer token', { authorization: `Bearer ${SECRETS.ops_key}` }, 401],
  ]
  const before = upstream.received.length
  for (const [method, route] of ROUTES) {
    for (const [who, headers, status] of callers) {
      const res = await lk.fetch(route, { method, headers })
      const body = await res.json() as { error?: { code: string } }
      t.equal(res.status, status, `${method} ${route}: ${who}`)
      t.equal(body.error?.code, status === 401 ? 'unauthenticated' : 'forbidden', `${method} ${route}: ${who}`)
    }
  }
  t.equal(upstream.received.length, before, 'no refused connection test reached the upstream')
  t.equal((await lk.fetch('/proxy/sneaked/x')).status, 404, 'no refused reload took effect')

  // The same routes do answer the admin key: the refusals above are about the caller.
  for (const [method, route] of ROUTES) {
    const res = await lk.fetch(route, { method, headers: { 'x-latchkey-key': SECRETS.ops_key } })
    await res.arrayBuffer()
    t.ok(res.status < 401 || res.status === 404, `${method} ${route}: admin is let in (${res.status})`)
  }
  t.equal((await lk.fetch('/proxy/sneaked/x')).status, 200, 'the admin reload took effect')
})
