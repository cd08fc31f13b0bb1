/**
 * Step 2 of the data plane (SPEC 6.1/6.2): who is calling. Credentials that are present must be
 * valid; only a request with no credentials at all is anonymous.
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
const ANY_SCHEME = /^[A-Za-z][A-Za-z0-9!#$%&'*+.^_`|~-]* /

export async function identifyCaller (headers: IncomingHttpHeaders, deps: IdentifyDeps): Promise<Caller> {
  const key = single(headers[API_KEY_HEADER], 'X-Latchkey-Key')
  const authorization = single(headers.authorization, 'Authorization')

  // Both at once is ambiguous (which identity is the access policy about?). Refuse rather than
  // pick one: a silently ignored credential hides client bugs and confuses audits.
  if (key !== undefined && authorization !== undefined) {
    throw new GatewayError('unauthenticated', 'send either X-Latchkey-Key or a bearer token, not both')
  }

  if (key !== undefined) {
    const match = deps.apiKeys?.match(key)
    if (match === undefined) throw new GatewayError('unauthenticated', 'unknown api key')
    return { kind: 'api_key', id: match.id, admin: match.admin }
  }

  if (authorization !== undefined) {
    const token = BEARER.exec(authorization)?.[1]
    if (token === undefined) {
      // Basic or another scheme is a credential too: never fall back to anonymous for it.
      throw ANY_SCHEME.test(authorization) && !/^Bearer /i.test(authorization)
        ? new GatewayError('unauthenticated', 'only Bearer authorization is accepted')
        : unauthenticatedBearer('bearer token is malformed')
    }
    if (deps.userJwt === undefined) throw unauthenticatedBearer('bearer tokens are not accepted by this gateway')
    const user = await deps.userJwt.verify(token)
    return { kind: 'user', id: user.owner, claims: user.claims }
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
