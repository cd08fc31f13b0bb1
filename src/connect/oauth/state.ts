/**
 * The OAuth `state` (SPEC 8): 32 random bytes, base64url, handed to the provider and back. The
 * cache keeps it under its SHA-256 (hex), never the value; the browser-binding cookie carries
 * the same digest in base64url, so neither the cache nor the cookie holds a usable state.
 */
import { createHash, randomBytes } from 'node:crypto'

export function newState (): string {
  return randomBytes(32).toString('base64url')
}

/** The cache key of a state. */
export function stateKey (state: string): string {
  return createHash('sha256').update(state, 'utf8').digest('hex')
}

/** The cookie value that binds a state to the browser that started the flow. */
export function stateBinding (state: string): string {
  return createHash('sha256').update(state, 'utf8').digest('base64url')
}

/** A state we made is 43 base64url characters; anything else is unknown without a lookup. */
export function isStateShaped (state: unknown): state is string {
  return typeof state === 'string' && /^[A-Za-z0-9_-]{43}$/.test(state)
}
