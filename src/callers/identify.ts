/**
 * Step 2 of the data plane (SPEC 6.1/6.2): who is calling. A latchkey credential that is present
 * (X-Latchkey-Key, or Authorization: Bearer) must be valid; without one the caller is anonymous.
 */
import type { IncomingHttpHeaders } from 'node:http'
import { GatewayError } from '../errors.js'
import type { ApiKeyMatcher } from './api-keys.js'
import { ANONYMOUS, type Caller } from './types.js'
import { unauthenticatedBearer, type UserJwtVerifier } from './user-jwt.js'

export interface IdentifyDeps {
  /** Absent when `callers.api_keys` is empty: every presented key is then unknown. */
  apiKeys?: ApiKeyMatcher | undefined
  /** Absent when `callers.jwt` is not configured: every bearer token is then refused. */
  userJwt?: UserJwtVerifier | undefined
}

export const API_KEY_HEADER = 'x-latchkey-key'

// RFC 6750 b64token after a case-insensitive "Bearer" and at least one space.
const BEARER = /^Bearer +([A-Za-z0-9\-._~+/]+=*) *$/i
/** `<scheme> <credentials>` with a scheme other than Bearer. */
const NOT_BEARER = /^(?!bearer )[A-Za-z][A-Za-z0-9!#$%&'*+.^_`|~-]* /i

/**
 * The caller, synchronously for an api key or no credential: only a user JWT's verification is
 * awaited, and the data plane skips the await when it can (MaybePromise, pipeline/types.ts).
 * A refusal is always a rejected promise, never a synchronous throw.
 */
export function identifyCaller (headers: IncomingHttpHeaders, deps: IdentifyDeps): Caller | Promise<Caller> {
  try {
    return identify(headers, deps)
  } catch (err) {
    return Promise.reject(err)
  }
}

function identify (headers: IncomingHttpHeaders, deps: IdentifyDeps): Caller | Promise<Caller> {
  const key = single(headers[API_KEY_HEADER], 'X-Latchkey-Key')

  // X-Latchkey-Key is latchkey's own credential and decides alone when present: an
  // Authorization header next to it is meant for someone else, and is stripped before
  // forwarding like any other (SPEC 6.3).
  if (key !== undefined) {
    const match = deps.apiKeys?.match(key)
    if (match === undefined) throw new GatewayError('unauthenticated', 'unknown api key')
    return { kind: 'api_key', id: match.id, admin: match.admin }
  }

  const authorization = single(headers.authorization, 'Authorization')
  // Only the Bearer scheme names a latchkey caller (SPEC 6.2); Basic or another scheme is
  // "neither", and is stripped before forwarding. A Bearer that is malformed, unverifiable or
  // not accepted here is a bad credential: 401, never anonymous.
  if (authorization !== undefined && !NOT_BEARER.test(authorization)) {
    const token = BEARER.exec(authorization)?.[1]
    if (token === undefined) throw unauthenticatedBearer('bearer token is malformed')
    if (deps.userJwt === undefined) throw unauthenticatedBearer('bearer tokens are not accepted by this gateway')
    return deps.userJwt.verify(token).then((user): Caller => ({ kind: 'user', id: user.owner, claims: user.claims }))
  }

  return ANONYMOUS
}

/** One header value, or undefined when absent. Repeated credential headers are refused. */
function single (value: string | string[] | undefined, name: string): string | undefined {
  if (value === undefined) return undefined
  if (typeof value === 'string') return value
  if (value.length === 1) return value[0]
  throw new GatewayError('unauthenticated', `send ${name} once`)
}
