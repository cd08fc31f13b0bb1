import t from 'tap'
import { SignJWT } from 'jose'
import { apiKeyDigest, buildApiKeyMatcher } from '../../../src/callers/api-keys.js'
import { identifyCaller, type IdentifyDeps } from '../../../src/callers/identify.js'
import { createUserJwtVerifier } from '../../../src/callers/user-jwt.js'

const SECRET = 'identify-test-shared-secret'
const deps: IdentifyDeps = {
  apiKeys: buildApiKeyMatcher([
    { id: 'billing', admin: false, sha256: apiKeyDigest('billing-key') },
    { id: 'ops', admin: true, sha256: apiKeyDigest('ops-key') },
  ]),
  userJwt: createUserJwtVerifier({ secret: SECRET }),
}
const token = (sub = 'alice') => new SignJWT({ sub, role: 'member' }).setProtectedHeader({ alg: 'HS256' })
  .setExpirationTime('5m').sign(new TextEncoder().encode(SECRET))

async function code (p: unknown): Promise<string> {
  try {
    await p
    return 'ok'
  } catch (err) {
    return `${(err as { code: string }).code}: ${(err as Error).message}`
  }
}

t.test('no credentials: anonymous', async (t) => {
  t.same(await identifyCaller({ accept: 'application/json' }, deps), { kind: 'anonymous', id: null })
  t.same(await identifyCaller({}, {}), { kind: 'anonymous', id: null })
})

t.test('api keys', async (t) => {
  t.same(await identifyCaller({ 'x-latchkey-key': 'billing-key' }, deps), { kind: 'api_key', id: 'billing', admin: false })
  t.same(await identifyCaller({ 'x-latchkey-key': 'ops-key' }, deps), { kind: 'api_key', id: 'ops', admin: true })
  t.equal(await code(identifyCaller({ 'x-latchkey-key': 'wrong' }, deps)), 'unauthenticated: unknown api key')
  t.equal(await code(identifyCaller({ 'x-latchkey-key': '' }, deps)), 'unauthenticated: unknown api key', 'empty is not anonymous')
  t.equal(await code(identifyCaller({ 'x-latchkey-key': 'billing-key, ops-key' }, deps)), 'unauthenticated: unknown api key', 'repeated header joined by node')
  t.equal(await code(identifyCaller({ 'x-latchkey-key': 'billing-key' }, {})), 'unauthenticated: unknown api key', 'no keys configured')
})

t.test('bearer tokens', async (t) => {
  const caller = await identifyCaller({ authorization: `Bearer ${await token()}` }, deps)
  t.match(caller, { kind: 'user', id: 'alice', claims: { sub: 'alice', role: 'member' } })
  t.match(await identifyCaller({ authorization: `bearer ${await token('bob')}` }, deps), { kind: 'user', id: 'bob' }, 'scheme is case-insensitive')
  t.equal(await code(identifyCaller({ authorization: 'Bearer a.b.c' }, deps)), 'unauthenticated: bearer token is malformed')
  t.equal(await code(identifyCaller({ authorization: 'Bearer' }, deps)), 'unauthenticated: bearer token is malformed')
  t.equal(await code(identifyCaller({ authorization: 'Bearer ' }, deps)), 'unauthenticated: bearer token is malformed')
  t.match(await identifyCaller({ authorization: 'Basic dXNlcjpwYXNz' }, deps), { kind: 'anonymous' },
    'another scheme is not a latchkey credential: anonymous (and stripped before forwarding)')
  t.equal(await code(identifyCaller({ authorization: 'dXNlcjpwYXNz' }, deps)), 'unauthenticated: bearer token is malformed', 'no scheme at all')
  t.equal(await code(identifyCaller({ authorization: `Bearer ${await token()}` }, { apiKeys: deps.apiKeys })),
    'unauthenticated: bearer tokens are not accepted by this gateway', 'no callers.jwt configured')
})

t.test('X-Latchkey-Key decides when present; an Authorization next to it is ignored', async (t) => {
  t.match(await identifyCaller({ 'x-latchkey-key': 'billing-key', authorization: `Bearer ${await token()}` }, deps), { kind: 'api_key', id: 'billing' })
  t.match(await identifyCaller({ 'x-latchkey-key': 'billing-key', authorization: 'Bearer not-a-jwt' }, deps), { kind: 'api_key', id: 'billing' })
  t.equal(await code(identifyCaller({ 'x-latchkey-key': 'wrong-key', authorization: `Bearer ${await token()}` }, deps)),
    'unauthenticated: unknown api key', 'a wrong key is not rescued by a valid bearer token')
})

t.test('repeated credential headers (raw arrays) are refused', async (t) => {
  t.equal(await code(identifyCaller({ 'x-latchkey-key': ['billing-key', 'ops-key'] } as never, deps)), 'unauthenticated: send X-Latchkey-Key once')
})
