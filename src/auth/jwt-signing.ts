/**
 * JWT signing with jose for the `jwt` and `oauth_jwt_bearer` methods. Keys arrive as rendered
 * template text (PEM in PKCS#8, PKCS#1 or SEC1 form, a JWK as JSON, or an HMAC secret) and are
 * imported once per distinct text.
 */
import { createPrivateKey, createSecretKey, type KeyObject } from 'node:crypto'
import { SignJWT, type JWTPayload } from 'jose'
import type { JwsAlgorithm } from '../config/schema.js'
import { GatewayError } from '../errors.js'

const MAX_KEYS = 64

export class SigningKeys {
  readonly #keys = new Map<string, KeyObject>()

  /** The KeyObject for `text` and `algorithm`; template_error when it cannot be one. */
  get (text: string, algorithm: JwsAlgorithm): KeyObject {
    const cacheKey = `${algorithm}\u0000${text}`
    let key = this.#keys.get(cacheKey)
    if (key === undefined) {
      key = importKey(text, algorithm)
      if (this.#keys.size >= MAX_KEYS) this.#keys.delete(this.#keys.keys().next().value!)
      this.#keys.set(cacheKey, key)
    }
    return key
  }
}

function importKey (text: string, algorithm: JwsAlgorithm): KeyObject {
  const trimmed = text.trim()
  try {
    if (algorithm.startsWith('HS')) {
      if (trimmed.startsWith('{')) {
        const jwk = JSON.parse(trimmed) as { kty?: string, k?: string }
        if (jwk.kty === 'oct' && typeof jwk.k === 'string') return createSecretKey(Buffer.from(jwk.k, 'base64url'))
      }
      if (text.length === 0) throw new Error('empty')
      return createSecretKey(Buffer.from(text, 'utf8'))
    }
    if (trimmed.startsWith('{')) return createPrivateKey({ key: JSON.parse(trimmed) as object as import('node:crypto').JsonWebKey, format: 'jwk' })
    // PEM from env or YAML often arrives with literal "\n": restore the line breaks.
    return createPrivateKey(trimmed.includes('\\n') ? trimmed.replace(/\\n/g, '\n') : trimmed)
  } catch {
    throw new GatewayError('template_error', `private_key is not a usable ${algorithm} key (PEM, JWK${algorithm.startsWith('HS') ? ' or secret' : ''})`)
  }
}

export async function signJwt (claims: JWTPayload, protectedHeader: Record<string, unknown>, key: KeyObject, algorithm: JwsAlgorithm): Promise<string> {
  try {
    return await new SignJWT(claims).setProtectedHeader({ typ: 'JWT', ...protectedHeader, alg: algorithm }).sign(key)
  } catch {
    throw new GatewayError('template_error', `private_key cannot sign ${algorithm}`)
  }
}
