/**
 * Bearer tokens that must never make a user: unsigned, algorithm confusion, tampered, expired.
 * Each is a 401 unauthenticated, never anonymous.
 */
import t from 'tap'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { SignJWT, base64url, exportJWK, exportSPKI, generateKeyPair } from 'jose'
import { identifyCaller } from '../../src/callers/identify.js'
import { createUserJwtVerifier } from '../../src/callers/user-jwt.js'

const enc = (v: unknown) => base64url.encode(JSON.stringify(v))

t.test('forged tokens against a JWKS (RS256) verifier', async (t) => {
  const { publicKey, privateKey } = await generateKeyPair('RS256', { extractable: true })
  const jwk = { ...(await exportJWK(publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' }
  const server = createServer((_req, res) => res.end(JSON.stringify({ keys: [jwk] })))
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  t.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())))
  const userJwt = createUserJwtVerifier({ jwks_url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, issuer: 'https://auth.test/', audience: 'latchkey' })

  const claims = { sub: 'alice', iss: 'https://auth.test/', aud: 'latchkey', exp: Math.floor(Date.now() / 1000) + 300 }
  const genuine = await new SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid: 'k1' }).sign(privateKey)
  const [h, p, s] = genuine.split('.') as [string, string, string]

  const cases: Array<[string, string, RegExp]> = [
    ['alg none, empty signature', `${enc({ alg: 'none', typ: 'JWT' })}.${enc(claims)}.`, /algorithm is not accepted/],
    ['alg none with kid', `${enc({ alg: 'none', kid: 'k1' })}.${enc(claims)}.`, /algorithm is not accepted/],
    ['alg NONE', `${enc({ alg: 'NONE' })}.${enc(claims)}.`, /algorithm is not accepted/],
    ['no alg', `${enc({ kid: 'k1' })}.${enc(claims)}.${s}`, /malformed/],
    ['HS256 signed with the public key (algorithm confusion)',
      await new SignJWT(claims).setProtectedHeader({ alg: 'HS256', kid: 'k1' }).sign(new TextEncoder().encode(await exportSPKI(publicKey))),
      /algorithm is not accepted/],
    ['HS256 signed with the JWK n as secret',
      await new SignJWT(claims).setProtectedHeader({ alg: 'HS256', kid: 'k1' }).sign(new TextEncoder().encode(jwk.n as string)),
      /algorithm is not accepted/],
    ['tampered payload (sub changed)', `${h}.${enc({ ...claims, sub: 'admin' })}.${s}`, /signature is invalid/],
    ['tampered header (kid changed)', `${enc({ alg: 'RS256', kid: 'k2' })}.${p}.${s}`, /signing key is not known/],
    ['signature stripped', `${h}.${p}.`, /signature is invalid|malformed/],
    ['signature from another payload', `${h}.${enc({ ...claims, exp: claims.exp + 1 })}.${s}`, /signature is invalid/],
    ['expired', await new SignJWT({ ...claims, exp: Math.floor(Date.now() / 1000) - 60 }).setProtectedHeader({ alg: 'RS256', kid: 'k1' }).sign(privateKey), /expired/],
    ['embedded jwk header (self-signed)', await (async () => {
      const attacker = await generateKeyPair('RS256', { extractable: true })
      return new SignJWT(claims).setProtectedHeader({ alg: 'RS256', jwk: await exportJWK(attacker.publicKey) }).sign(attacker.privateKey)
    })(), /signature is invalid|signing key|malformed/],
  ]

  t.match(await identifyCaller({ authorization: `Bearer ${genuine}` }, { userJwt }), { kind: 'user', id: 'alice' }, 'the genuine token works')
  for (const [name, token, message] of cases) {
    await t.rejects(Promise.resolve(identifyCaller({ authorization: `Bearer ${token}` }, { userJwt })), { code: 'unauthenticated', status: 401, message }, name)
  }
})

t.test('forged tokens against a shared-secret (HS256) verifier', async (t) => {
  const secret = 'the-real-shared-secret-0123456789'
  const userJwt = createUserJwtVerifier({ secret })
  const exp = Math.floor(Date.now() / 1000) + 300
  const genuine = await new SignJWT({ sub: 'alice', exp }).setProtectedHeader({ alg: 'HS256' }).sign(new TextEncoder().encode(secret))
  const [h, , s] = genuine.split('.') as [string, string, string]
  const cases: Array<[string, string, RegExp]> = [
    ['alg none', `${enc({ alg: 'none' })}.${enc({ sub: 'alice', exp })}.`, /algorithm is not accepted/],
    ['tampered payload', `${h}.${enc({ sub: 'admin', exp })}.${s}`, /signature is invalid/],
    ['guessed secret', await new SignJWT({ sub: 'alice', exp }).setProtectedHeader({ alg: 'HS256' }).sign(new TextEncoder().encode('secret')), /signature is invalid/],
    ['expired', await new SignJWT({ sub: 'alice', exp: exp - 600 }).setProtectedHeader({ alg: 'HS256' }).sign(new TextEncoder().encode(secret)), /expired/],
  ]
  t.match(await identifyCaller({ authorization: `Bearer ${genuine}` }, { userJwt }), { kind: 'user', id: 'alice' })
  for (const [name, token, message] of cases) {
    await t.rejects(Promise.resolve(identifyCaller({ authorization: `Bearer ${token}` }, { userJwt })), { code: 'unauthenticated', message }, name)
  }
})
