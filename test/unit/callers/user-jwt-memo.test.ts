/**
 * Verified user tokens are remembered by their exact text, never past their expiry: a token that
 * expires while remembered is refused from that instant, and a token whose signature was altered
 * is a different text, verified (and refused) on its own.
 */
import t from 'tap'
import { SignJWT } from 'jose'
import { createUserJwtVerifier } from '../../../src/callers/user-jwt.js'
import { GatewayError } from '../../../src/errors.js'

const SECRET = 'a-shared-hmac-secret-for-the-memo-test-0123456789'
const key = new TextEncoder().encode(SECRET)
const sign = (exp: number, sub = 'alice') => new SignJWT({ sub }).setProtectedHeader({ alg: 'HS256' })
  .setIssuer('https://auth.example.test/').setAudience('latchkey').setIssuedAt().setExpirationTime(exp).sign(key)

async function outcome (p: Promise<{ owner: string }>): Promise<string> {
  try {
    return `ok:${(await p).owner}`
  } catch (err) {
    if (err instanceof GatewayError && err.code === 'unauthenticated') return err.message
    throw err
  }
}

t.test('a remembered token is refused once it expires', async (t) => {
  const v = createUserJwtVerifier({ issuer: 'https://auth.example.test/', audience: 'latchkey', secret: SECRET })
  // Expires at the next whole second after at least 1 s from now.
  const exp = Math.floor(Date.now() / 1000) + 2
  const token = await sign(exp)
  t.equal(await outcome(v.verify(token)), 'ok:alice')
  t.equal(await outcome(v.verify(token)), 'ok:alice', 'served again while valid')
  await new Promise((resolve) => setTimeout(resolve, exp * 1000 - Date.now() + 50))
  t.equal(await outcome(v.verify(token)), 'bearer token is expired', 'refused from exp on, although remembered')
})

t.test('an altered signature is verified on its own and refused', async (t) => {
  const v = createUserJwtVerifier({ issuer: 'https://auth.example.test/', audience: 'latchkey', secret: SECRET })
  const token = await sign(Math.floor(Date.now() / 1000) + 300)
  t.equal(await outcome(v.verify(token)), 'ok:alice')
  const [header, payload, signature] = token.split('.') as [string, string, string]
  // The second-to-last character, changed whatever it was (testing the last one instead left the
  // signature as it was whenever the changed character already read 'A': one run in 64).
  const flipped = signature.slice(0, -2) + (signature.at(-2) === 'A' ? 'B' : 'A') + signature.slice(-1)
  t.equal(await outcome(v.verify(`${header}.${payload}.${flipped}`)), 'bearer token signature is invalid')
  const forged = Buffer.from(JSON.stringify({ sub: 'mallory', iss: 'https://auth.example.test/', aud: 'latchkey', exp: 9_999_999_999 })).toString('base64url')
  t.equal(await outcome(v.verify(`${header}.${forged}.${signature}`)), 'bearer token signature is invalid', 'a payload swapped under a remembered signature')
  t.equal(await outcome(v.verify(token)), 'ok:alice')
})

t.test('remembered claims are frozen: requests sharing them cannot change them', async (t) => {
  const v = createUserJwtVerifier({ issuer: 'https://auth.example.test/', audience: 'latchkey', secret: SECRET })
  const token = await sign(Math.floor(Date.now() / 1000) + 300)
  const first = await v.verify(token)
  const second = await v.verify(token)
  t.equal(first, second, 'the same verified user object')
  t.ok(Object.isFrozen(first.claims))
})
