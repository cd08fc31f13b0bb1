/**
 * Synchronous compact JWS for jwt_encode(): jose only signs asynchronously and a nunjucks render
 * is synchronous, so this uses node:crypto directly. Imported keys are cached by their text, so
 * a request pays for a PEM or JWK parse only the first time a key is seen.
 */
import { constants, createHmac, createPrivateKey, createSecretKey, sign, type KeyObject } from 'node:crypto'
import { RenderFault } from './errors.js'

type Digest = 'sha256' | 'sha384' | 'sha512'

type Algorithm =
  | { family: 'HS', digest: Digest }
  | { family: 'RS', digest: Digest }
  | { family: 'PS', digest: Digest, saltLength: number }
  | { family: 'ES', digest: Digest, curve: string }
  | { family: 'EdDSA' }

const ALGORITHMS: Readonly<Record<string, Algorithm>> = Object.assign(Object.create(null) as object, {
  HS256: { family: 'HS', digest: 'sha256' },
  HS384: { family: 'HS', digest: 'sha384' },
  HS512: { family: 'HS', digest: 'sha512' },
  RS256: { family: 'RS', digest: 'sha256' },
  RS384: { family: 'RS', digest: 'sha384' },
  RS512: { family: 'RS', digest: 'sha512' },
  // RFC 7518 3.5: the salt is as long as the digest.
  PS256: { family: 'PS', digest: 'sha256', saltLength: 32 },
  PS384: { family: 'PS', digest: 'sha384', saltLength: 48 },
  PS512: { family: 'PS', digest: 'sha512', saltLength: 64 },
  // Node's names for P-256, P-384 and P-521.
  ES256: { family: 'ES', digest: 'sha256', curve: 'prime256v1' },
  ES384: { family: 'ES', digest: 'sha384', curve: 'secp384r1' },
  ES512: { family: 'ES', digest: 'sha512', curve: 'secp521r1' },
  EdDSA: { family: 'EdDSA' },
} satisfies Record<string, Algorithm>)

export const JWT_ALGORITHMS: readonly string[] = Object.keys(ALGORITHMS)

interface ImportedKey {
  key: KeyObject
  type: string
  curve: string | undefined
  bits: number | undefined
}

/** Imported keys by their text. Bounded: rotated keys must not pile up forever. */
export class KeyCache {
  readonly #entries = new Map<string, ImportedKey>()
  readonly #max: number

  constructor (max = 64) {
    this.#max = max
  }

  /** A private key from PEM (PKCS#8, PKCS#1, SEC1), a JWK object or a JWK JSON string. */
  privateKey (input: unknown): ImportedKey {
    return this.#get(input, (text) => createPrivateKey(text.trimStart().startsWith('{')
      ? { key: JSON.parse(text) as object as never, format: 'jwk' }
      : text))
  }

  /** An HMAC key from an `oct` JWK object. */
  secretKey (jwk: object): ImportedKey {
    return this.#get(jwk, (text) => {
      const { kty, k } = JSON.parse(text) as { kty?: unknown, k?: unknown }
      if (kty !== 'oct' || typeof k !== 'string' || k === '') throw new TypeError('not an oct JWK')
      return createSecretKey(Buffer.from(k, 'base64url'))
    })
  }

  #get (input: unknown, load: (text: string) => KeyObject): ImportedKey {
    const text = typeof input === 'string' ? input : input !== null && typeof input === 'object' ? JSON.stringify(input) : undefined
    if (text === undefined || text === '') throw fault('the key must be a PEM string or a JWK')
    const cached = this.#entries.get(text)
    if (cached !== undefined) return cached
    let key: KeyObject
    try {
      key = load(text)
    } catch {
      // The crypto error can quote the key material: say only that it failed.
      throw fault('the key is not a usable key')
    }
    const details = key.asymmetricKeyDetails
    const imported = { key, type: key.asymmetricKeyType ?? 'secret', curve: details?.namedCurve, bits: details?.modulusLength }
    if (this.#entries.size >= this.#max) this.#entries.delete(this.#entries.keys().next().value as string)
    this.#entries.set(text, imported)
    return imported
  }
}

export function signJwt (payload: object, keyInput: unknown, algorithm: string, headers: object, keys: KeyCache): string {
  const alg = ALGORITHMS[algorithm]
  if (alg === undefined) throw fault(`unsupported algorithm; expected one of ${JWT_ALGORITHMS.join(', ')}`)
  // `alg` last: a header argument cannot make the token claim another algorithm.
  const header = Object.assign({ alg: algorithm, typ: 'JWT' }, headers, { alg: algorithm })
  const signingInput = `${encodeJson(header, 'headers')}.${encodeJson(payload, 'payload')}`
  return `${signingInput}.${signature(alg, algorithm, signingInput, keyInput, keys)}`
}

function signature (alg: Algorithm, name: string, input: string, keyInput: unknown, keys: KeyCache): string {
  if (alg.family === 'HS') {
    if (typeof keyInput === 'string') {
      if (keyInput === '') throw fault('the HMAC key is empty')
      return createHmac(alg.digest, keyInput).update(input).digest('base64url')
    }
    if (keyInput === null || typeof keyInput !== 'object') throw fault('the HMAC key must be a string or an oct JWK')
    return createHmac(alg.digest, keys.secretKey(keyInput).key).update(input).digest('base64url')
  }
  const imported = keys.privateKey(keyInput)
  assertKeyFits(alg, name, imported)
  const data = Buffer.from(input)
  switch (alg.family) {
    case 'RS': return sign(alg.digest, data, imported.key).toString('base64url')
    case 'PS': return sign(alg.digest, data, { key: imported.key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: alg.saltLength }).toString('base64url')
    // JWS wants the raw r||s form, not DER (RFC 7518 3.4).
    case 'ES': return sign(alg.digest, data, { key: imported.key, dsaEncoding: 'ieee-p1363' }).toString('base64url')
    case 'EdDSA': return sign(null, data, imported.key).toString('base64url')
  }
}

function assertKeyFits (alg: Algorithm, name: string, key: ImportedKey): void {
  const fits = alg.family === 'RS'
    ? key.type === 'rsa'
    : alg.family === 'PS'
      ? key.type === 'rsa' || key.type === 'rsa-pss'
      : alg.family === 'ES'
        ? key.type === 'ec' && key.curve === alg.curve
        : key.type === 'ed25519' || key.type === 'ed448'
  if (!fits) throw fault(`the key does not fit ${name}`)
  // Verifiers (jose among them) refuse shorter RSA keys.
  if ((alg.family === 'RS' || alg.family === 'PS') && (key.bits ?? 0) < 2048) throw fault(`${name} needs an RSA key of at least 2048 bits`)
}

function encodeJson (value: object, what: string): string {
  let json: string | undefined
  try {
    json = JSON.stringify(value)
  } catch {
    json = undefined
  }
  if (json === undefined) throw fault(`the ${what} cannot be serialized to JSON`)
  return Buffer.from(json).toString('base64url')
}

function fault (reason: string): RenderFault {
  return new RenderFault(`jwt_encode: ${reason}`)
}
