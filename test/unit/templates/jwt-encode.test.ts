import { generateKeyPairSync, type KeyObject } from 'node:crypto'
import { decodeProtectedHeader, jwtVerify } from 'jose'
import t, { type Test } from 'tap'
import { TemplateEngine } from '../../../src/templates/index.js'
import { makeContext } from './fixtures/context.js'

const NOW = 1_700_000_000
const engine = new TemplateEngine({ variables: {}, clock: () => NOW * 1000 })

const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 })
const p256 = generateKeyPairSync('ec', { namedCurve: 'P-256' })
const p384 = generateKeyPairSync('ec', { namedCurve: 'P-384' })
const p521 = generateKeyPairSync('ec', { namedCurve: 'P-521' })
const ed25519 = generateKeyPairSync('ed25519')

const pkcs8 = (key: KeyObject) => key.export({ type: 'pkcs8', format: 'pem' }) as string

/** Signs `claims` through a template, with the key passed as a secret. */
function sign (algorithm: string, key: string, extra = ''): string {
  const source = `{{ jwt_encode({"sub": connection.id, "iat": now(), "exp": now(300)}, get_secret("signing_key"), "${algorithm}"${extra}) }}`
  return engine.compile(source, 'auth').render(makeContext(), new Map([['signing_key', key]]))
}

async function verify (t: Test, token: string, algorithm: string, key: KeyObject | Uint8Array): Promise<void> {
  const { payload, protectedHeader } = await jwtVerify(token, key, { algorithms: [algorithm], currentDate: new Date(NOW * 1000) })
  t.same(protectedHeader, { alg: algorithm, typ: 'JWT' }, `${algorithm}: header`)
  t.same(payload, { sub: 'acme-weather', iat: NOW, exp: NOW + 300 }, `${algorithm}: payload`)
}

t.test('every algorithm verifies with jose and the public key', async (t) => {
  const hmacSecret = 'a-long-enough-hmac-secret-for-hs512-a-long-enough-hmac-secret-!!'
  for (const alg of ['HS256', 'HS384', 'HS512']) await verify(t, sign(alg, hmacSecret), alg, new TextEncoder().encode(hmacSecret))
  for (const alg of ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512']) await verify(t, sign(alg, pkcs8(rsa.privateKey)), alg, rsa.publicKey)
  await verify(t, sign('ES256', pkcs8(p256.privateKey)), 'ES256', p256.publicKey)
  await verify(t, sign('ES384', pkcs8(p384.privateKey)), 'ES384', p384.publicKey)
  await verify(t, sign('ES512', pkcs8(p521.privateKey)), 'ES512', p521.publicKey)
  await verify(t, sign('EdDSA', pkcs8(ed25519.privateKey)), 'EdDSA', ed25519.publicKey)
})

t.test('HS256 is the default algorithm', async (t) => {
  const token = engine.compile('{{ jwt_encode({"a": 1}, "secret") }}', 'auth').render(makeContext(), new Map())
  t.equal(decodeProtectedHeader(token).alg, 'HS256')
  const { payload } = await jwtVerify(token, new TextEncoder().encode('secret'))
  t.same(payload, { a: 1 })
})

t.test('PEM formats: PKCS#1 for RSA, SEC1 for EC', async (t) => {
  await verify(t, sign('RS256', rsa.privateKey.export({ type: 'pkcs1', format: 'pem' }) as string), 'RS256', rsa.publicKey)
  await verify(t, sign('ES256', p256.privateKey.export({ type: 'sec1', format: 'pem' }) as string), 'ES256', p256.publicKey)
})

t.test('JWK keys: JSON text from a secret, or an object', async (t) => {
  const jwk = JSON.stringify(p256.privateKey.export({ format: 'jwk' }))
  await verify(t, sign('ES256', jwk), 'ES256', p256.publicKey)
  await verify(t, sign('RS256', JSON.stringify(rsa.privateKey.export({ format: 'jwk' }))), 'RS256', rsa.publicKey)

  const fromObject = engine.compile('{{ jwt_encode({"sub": "x"}, get_secret("jwk") | from_json, "EdDSA") }}', 'auth')
    .render(makeContext(), new Map([['jwk', JSON.stringify(ed25519.privateKey.export({ format: 'jwk' }))]]))
  t.same((await jwtVerify(fromObject, ed25519.publicKey)).payload, { sub: 'x' })

  const oct = { kty: 'oct', k: Buffer.from('oct-secret').toString('base64url') }
  const hs = engine.compile('{{ jwt_encode({"sub": "x"}, get_secret("jwk") | from_json, "HS256") }}', 'auth')
    .render(makeContext(), new Map([['jwk', JSON.stringify(oct)]]))
  t.same((await jwtVerify(hs, new TextEncoder().encode('oct-secret'))).payload, { sub: 'x' })
})

t.test('headers are merged into the protected header; alg cannot be overridden', async (t) => {
  const token = sign('ES256', pkcs8(p256.privateKey), ', headers={"kid": "key-1", "typ": "at+jwt", "alg": "none"}')
  t.same(decodeProtectedHeader(token), { alg: 'ES256', typ: 'at+jwt', kid: 'key-1' })
  const { payload } = await jwtVerify(token, p256.publicKey, { currentDate: new Date(NOW * 1000), typ: 'at+jwt' })
  t.equal(payload.sub, 'acme-weather')
})

t.test('keyword arguments and a JSON payload', async (t) => {
  const token = engine.compile('{{ jwt_encode(payload=\'{"n": 1}\', key="k", algorithm="HS384") }}', 'auth').render(makeContext(), new Map())
  const { payload, protectedHeader } = await jwtVerify(token, new TextEncoder().encode('k'))
  t.equal(protectedHeader.alg, 'HS384')
  t.same(payload, { n: 1 })
})

t.test('a key that does not fit the algorithm is a template_error', async (t) => {
  const cases: [string, string, RegExp][] = [
    ['ES256', pkcs8(p384.privateKey), /the key does not fit ES256/],
    ['ES384', pkcs8(rsa.privateKey), /the key does not fit ES384/],
    ['RS256', pkcs8(p256.privateKey), /the key does not fit RS256/],
    ['EdDSA', pkcs8(rsa.privateKey), /the key does not fit EdDSA/],
    ['RS256', 'not a key', /the key is not a usable key/],
    ['RS256', '{"kty": "RSA"}', /the key is not a usable key/],
    ['RS256', rsa.publicKey.export({ type: 'spki', format: 'pem' }) as string, /the key is not a usable key/],
    ['RS256', pkcs8(generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey), /RS256 needs an RSA key of at least 2048 bits/],
    ['HS256', '', /the HMAC key is empty/],
    ['none', 'k', /unsupported algorithm/],
    ['hs256', 'k', /unsupported algorithm/],
  ]
  for (const [alg, key, message] of cases) {
    t.throws(() => sign(alg, key), { code: 'template_error', message }, `${alg} with ${key.slice(0, 20)}`)
  }
  t.throws(() => engine.compile('{{ jwt_encode("[1]", "k") }}', 'auth').render(makeContext(), new Map()), { message: /payload must be a dict/ })
  t.throws(() => engine.compile('{{ jwt_encode("{", "k") }}', 'auth').render(makeContext(), new Map()), { message: /payload is not valid JSON/ })
  t.throws(() => engine.compile('{{ jwt_encode({}, "k", "HS256", "kid") }}', 'auth').render(makeContext(), new Map()), { message: /headers must be a dict/ })
})

t.test('signing reuses the imported key', async (t) => {
  const key = pkcs8(p256.privateKey)
  const template = engine.compile('{{ jwt_encode({"i": 1}, get_secret("k"), "ES256") }}', 'auth')
  const secrets = new Map([['k', key]])
  template.render(makeContext(), secrets)
  const start = process.hrtime.bigint()
  for (let i = 0; i < 200; i++) template.render(makeContext(), secrets)
  const perSign = Number(process.hrtime.bigint() - start) / 200
  t.ok(perSign < 2_000_000, `about ${Math.round(perSign / 1000)}µs per ES256 token`)
})
