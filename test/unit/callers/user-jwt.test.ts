import t, { type Test } from 'tap'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { SignJWT, exportJWK, generateKeyPair, type JWK, type JWTPayload } from 'jose'
import { createUserJwtVerifier, type UserJwtOptions } from '../../../src/callers/user-jwt.js'
import { GatewayError } from '../../../src/errors.js'

const ISSUER = 'https://auth.example.test/'
const AUDIENCE = 'latchkey'

async function rsaKey (kid: string) {
  const { publicKey, privateKey } = await generateKeyPair('RS256', { extractable: true })
  const jwk: JWK = { ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' }
  return { privateKey, jwk, kid }
}

function sign (key: Awaited<ReturnType<typeof rsaKey>>, claims: JWTPayload = {}, opts: { exp?: number | string } = {}) {
  return new SignJWT({ sub: 'alice', ...claims })
    .setProtectedHeader({ alg: 'RS256', kid: key.kid })
    .setIssuer(ISSUER)
    .setAudience(AUDIENCE)
    .setIssuedAt()
    .setExpirationTime(opts.exp ?? '5m')
    .sign(key.privateKey)
}

// A real JWKS server on port 0: the verifier fetches with the global fetch, as in production.
async function jwksServer (t: Test, keys: JWK[]) {
  const state = { keys, fetches: 0 }
  const server = createServer((req, res) => {
    state.fetches++
    res.setHeader('content-type', 'application/json')
    res.end(JSON.stringify({ keys: state.keys }))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  t.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())))
  return { state, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/jwks.json` }
}

async function reason (p: Promise<unknown>): Promise<string> {
  try {
    await p
    return 'ok'
  } catch (err) {
    if (!(err instanceof GatewayError)) throw err
    if (err.code !== 'unauthenticated' || err.status !== 401) throw err
    return err.message
  }
}

t.test('JWKS: valid tokens, every refusal, cache and refetch', async (t) => {
  const k1 = await rsaKey('k1')
  const { state, url } = await jwksServer(t, [k1.jwk])
  const base: UserJwtOptions = { issuer: ISSUER, audience: AUDIENCE, jwks_url: url }
  const v = createUserJwtVerifier(base)

  const ok = await v.verify(await sign(k1, { email: 'a@example.test' }))
  t.equal(ok.owner, 'alice')
  t.equal(ok.claims.email, 'a@example.test')
  t.equal(state.fetches, 1)

  const now = Math.floor(Date.now() / 1000)
  t.equal(await reason(v.verify(await sign(k1, {}, { exp: now - 10 }))), 'bearer token is expired')
  t.equal(await reason(v.verify(await sign(k1, { nbf: now + 600 }))), 'bearer token is not valid yet')
  t.equal(await reason(v.verify(await new SignJWT({ sub: 'alice' }).setProtectedHeader({ alg: 'RS256', kid: 'k1' })
    .setIssuer('https://evil.example.test/').setAudience(AUDIENCE).setExpirationTime('5m').sign(k1.privateKey))),
  'bearer token issuer is not accepted')
  t.equal(await reason(v.verify(await new SignJWT({ sub: 'alice' }).setProtectedHeader({ alg: 'RS256', kid: 'k1' })
    .setIssuer(ISSUER).setAudience('someone-else').setExpirationTime('5m').sign(k1.privateKey))),
  'bearer token audience is not accepted')
  const ec = await generateKeyPair('ES256')
  t.equal(await reason(v.verify(await new SignJWT({ sub: 'alice' }).setProtectedHeader({ alg: 'ES256', kid: 'k1' })
    .setIssuer(ISSUER).setAudience(AUDIENCE).setExpirationTime('5m').sign(ec.privateKey))),
  'bearer token algorithm is not accepted', 'ES256 with an RS256-only config')
  const noExp = await new SignJWT({ sub: 'alice' }).setProtectedHeader({ alg: 'RS256', kid: 'k1' })
    .setIssuer(ISSUER).setAudience(AUDIENCE).sign(k1.privateKey)
  t.equal((await v.verify(noExp)).owner, 'alice', 'exp is checked when present, not required (SPEC 6.2)')
  t.equal(await reason(v.verify(await sign(k1, { sub: undefined }))), "bearer token has no usable 'sub' claim")
  t.equal(await reason(v.verify('not-a-jwt')), 'bearer token is malformed')

  t.equal(state.fetches, 1, 'all of the above used the cached key set')

  // A token from an unknown key with the same kid: signature check fails, no refetch storm.
  const impostor = await rsaKey('k1')
  t.equal(await reason(v.verify(await sign(impostor))), 'bearer token signature is invalid')
  t.equal(state.fetches, 1)

  t.equal(await reason(createUserJwtVerifier({ ...base, require_exp: true }).verify(noExp)),
    'bearer token has no valid expiry', 'require_exp: true refuses a token without exp')
})

t.test('JWKS: a new kid triggers a refetch, at most once per cooldown', async (t) => {
  const [k1, k2, k3] = await Promise.all([rsaKey('k1'), rsaKey('k2'), rsaKey('k3')])
  // Signed up front so slow signing on a busy machine cannot eat into the cooldown window.
  const [t1, t2, t3] = await Promise.all([sign(k1), sign(k2), sign(k3)])
  const { state, url } = await jwksServer(t, [k1.jwk])
  const cooldown = 1000
  const v = createUserJwtVerifier({ issuer: ISSUER, audience: AUDIENCE, jwks_url: url, jwks_cooldown_ms: cooldown })
  const afterCooldown = () => new Promise((resolve) => setTimeout(resolve, cooldown + 50))

  await v.verify(t1)
  t.equal(state.fetches, 1)

  state.keys = [k1.jwk, k2.jwk] // the issuer rotates in a new key
  t.equal(await reason(v.verify(t2)), 'bearer token signing key is not known', 'within the cooldown: no refetch')
  t.equal(state.fetches, 1)

  await afterCooldown()
  t.equal((await v.verify(t2)).owner, 'alice')
  t.equal(state.fetches, 2, 'one refetch found the new key')
  await v.verify(t2)
  await v.verify(t1)
  t.equal(state.fetches, 2, 'and it is cached again')

  // An unknown kid after the cooldown refetches once and is refused.
  await afterCooldown()
  t.equal(await reason(v.verify(t3)), 'bearer token signing key is not known')
  t.equal(state.fetches, 3)
})

t.test('JWKS: concurrent first requests share one fetch', async (t) => {
  const k1 = await rsaKey('k1')
  const { state, url } = await jwksServer(t, [k1.jwk])
  const v = createUserJwtVerifier({ issuer: ISSUER, audience: AUDIENCE, jwks_url: url })
  const token = await sign(k1)
  await Promise.all(Array.from({ length: 10 }, () => v.verify(token)))
  t.equal(state.fetches, 1)
})

t.test('JWKS unreachable: 401 with a reason, not a crash', async (t) => {
  const k1 = await rsaKey('k1')
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const port = (server.address() as AddressInfo).port
  await new Promise<void>((resolve) => server.close(() => resolve()))
  const v = createUserJwtVerifier({ jwks_url: `http://127.0.0.1:${port}/jwks.json` })
  t.equal(await reason(v.verify(await sign(k1))), 'bearer token could not be verified: signing keys are unavailable')
})

t.test('JWKS answering non-200', async (t) => {
  const k1 = await rsaKey('k1')
  const server = createServer((_req, res) => { res.statusCode = 500; res.end('{}') })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  t.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())))
  const v = createUserJwtVerifier({ jwks_url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/` })
  t.equal(await reason(v.verify(await sign(k1))), 'bearer token could not be verified: signing keys are unavailable')
})

t.test('shared secret HS256', async (t) => {
  const secret = 'a-long-shared-secret-for-hs256-tests'
  const v = createUserJwtVerifier({ secret, issuer: ISSUER, audience: AUDIENCE, owner_claim: 'uid' })
  const mint = (s: string, claims: JWTPayload = { uid: 'u-42' }, alg = 'HS256') => new SignJWT(claims)
    .setProtectedHeader({ alg }).setIssuer(ISSUER).setAudience(AUDIENCE).setExpirationTime('5m')
    .sign(new TextEncoder().encode(s))

  t.same((await v.verify(await mint(secret))).owner, 'u-42')
  t.equal((await v.verify(await mint(secret, { uid: 42 }))).owner, '42', 'numeric ids become strings')
  t.equal(await reason(v.verify(await mint('another-secret-of-the-same-length!!'))), 'bearer token signature is invalid')
  t.equal(await reason(v.verify(await mint(secret, { uid: 'u-42' }, 'HS512'))), 'bearer token algorithm is not accepted')
  t.equal(await reason(v.verify(await mint(secret, { sub: 'no-uid' }))), "bearer token has no usable 'uid' claim")
})

t.test('clock tolerance', async (t) => {
  const secret = 'another-long-shared-secret-value'
  const now = Math.floor(Date.now() / 1000)
  const token = await new SignJWT({ sub: 'a' }).setProtectedHeader({ alg: 'HS256' }).setExpirationTime(now - 5)
    .sign(new TextEncoder().encode(secret))
  t.equal(await reason(createUserJwtVerifier({ secret }).verify(token)), 'bearer token is expired')
  t.equal(await reason(createUserJwtVerifier({ secret, clock_tolerance_s: 30 }).verify(token)), 'ok')
})

t.test('configuration mistakes are refused when building', async (t) => {
  t.throws(() => createUserJwtVerifier({}), { code: 'config_invalid' })
  t.throws(() => createUserJwtVerifier({ secret: 's', jwks_url: 'http://127.0.0.1/' }), { code: 'config_invalid' })
  t.throws(() => createUserJwtVerifier({ secret: '' }), { code: 'config_invalid' })
  t.throws(() => createUserJwtVerifier({ secret: 's', algorithms: ['RS256'] }), { code: 'config_invalid' })
  t.throws(() => createUserJwtVerifier({ jwks_url: 'http://127.0.0.1/', algorithms: ['RS256', 'HS256'] }), { code: 'config_invalid' })
})

t.test('401s carry a Bearer challenge', async (t) => {
  const v = createUserJwtVerifier({ secret: 'x-secret-value' })
  const err = await v.verify('a.b.c').catch((e: unknown) => e)
  t.type(err, GatewayError)
  t.match((err as GatewayError).headers, { 'www-authenticate': /^Bearer / })
})
