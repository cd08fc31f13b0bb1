/**
 * Key import for `jwt` and `oauth_jwt_bearer`: PEM (PKCS#8, PKCS#1, SEC1, with literal "\n"),
 * JWK JSON (RSA, EC, OKP, oct), HMAC secret text. A key that cannot serve fails with
 * template_error, and the message never carries the key.
 */
import { generateKeyPairSync } from 'node:crypto'
import { jwtVerify } from 'jose'
import t from 'tap'
import { signJwt, SigningKeys } from '../../../src/auth/jwt-signing.js'
import { GatewayError } from '../../../src/errors.js'

const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 })
const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' })

async function roundTrip (keys: SigningKeys, text: string, algorithm: 'RS256' | 'ES256' | 'HS256', verify: Parameters<typeof jwtVerify>[1]) {
  const token = await signJwt({ sub: 'x' }, { kid: 'k' }, keys.get(text, algorithm), algorithm)
  const { payload, protectedHeader } = await jwtVerify(token, verify, { algorithms: [algorithm] })
  return { payload, protectedHeader }
}

t.test('every accepted key text signs', async (t) => {
  const keys = new SigningKeys()
  const forms: Array<[string, string, 'RS256' | 'ES256', Parameters<typeof jwtVerify>[1]]> = [
    ['RSA PKCS#8', rsa.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string, 'RS256', rsa.publicKey],
    ['RSA PKCS#1', rsa.privateKey.export({ type: 'pkcs1', format: 'pem' }) as string, 'RS256', rsa.publicKey],
    ['RSA JWK', JSON.stringify(rsa.privateKey.export({ format: 'jwk' })), 'RS256', rsa.publicKey],
    ['RSA PEM with literal \\n', (rsa.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string).trim().replace(/\n/g, '\\n'), 'RS256', rsa.publicKey],
    ['EC SEC1', ec.privateKey.export({ type: 'sec1', format: 'pem' }) as string, 'ES256', ec.publicKey],
    ['EC JWK', JSON.stringify(ec.privateKey.export({ format: 'jwk' })), 'ES256', ec.publicKey],
  ]
  for (const [name, text, algorithm, verify] of forms) {
    const { payload, protectedHeader } = await roundTrip(keys, text, algorithm, verify)
    t.same(payload, { sub: 'x' }, name)
    t.same(protectedHeader, { alg: algorithm, typ: 'JWT', kid: 'k' }, `${name}: header`)
  }
  const secret = 'an-hmac-secret-of-reasonable-length-0123456789'
  t.same((await roundTrip(keys, secret, 'HS256', new TextEncoder().encode(secret))).payload, { sub: 'x' }, 'HMAC secret text')
  const oct = JSON.stringify({ kty: 'oct', k: Buffer.from(secret).toString('base64url') })
  t.same((await roundTrip(keys, oct, 'HS256', new TextEncoder().encode(secret))).payload, { sub: 'x' }, 'HMAC JWK (oct)')
  t.equal(keys.get(secret, 'HS256'), keys.get(secret, 'HS256'), 'imported once per text')
})

t.test('unusable keys fail with template_error and never echo the key', async (t) => {
  const keys = new SigningKeys()
  const cases: Array<[string, string, 'RS256' | 'ES256' | 'HS256' | 'EdDSA']> = [
    ['garbage for RS256', 'not-a-key-SECRET-0011', 'RS256'],
    ['broken JWK', '{"kty":"RSA","n":"SECRET-0022"', 'RS256'],
    ['empty HMAC secret', '', 'HS256'],
  ]
  for (const [name, text, algorithm] of cases) {
    const err = await (async () => keys.get(text, algorithm))().catch((e: unknown) => e)
    t.type(err, GatewayError, name)
    t.equal((err as GatewayError).code, 'template_error')
    t.notOk(text !== '' && (err as GatewayError).message.includes(text), `${name}: the key is not in the message`)
  }
  // A key of the wrong type for the algorithm fails at signing, as template_error too.
  const rsaKey = keys.get(rsa.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string, 'ES256')
  const err = await signJwt({ sub: 'x' }, {}, rsaKey, 'ES256').catch((e: unknown) => e)
  t.type(err, GatewayError)
  t.equal((err as GatewayError).code, 'template_error')
  t.match((err as GatewayError).message, /cannot sign ES256/)
})
