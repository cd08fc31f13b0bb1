/**
 * End-user callers (`Authorization: Bearer <jwt>`), verified with jose against `callers.jwt`:
 * a remote JWKS (asymmetric algorithms) or a shared HMAC secret.
 *
 * The JWKS URL may be plain http so tests can serve keys on loopback; production deployments
 * are expected to use https (the keys decide who is a user).
 */
import { createRemoteJWKSet, customFetch, errors, jwtVerify } from 'jose'
import type { FetchImplementation, JWTPayload, JWTVerifyGetKey } from 'jose'
import type { JwsAlgorithm } from '../config/schema.js'
import { GatewayError } from '../errors.js'
import { LruMap } from '../lru-map.js'

export interface UserJwtOptions {
  issuer?: string | readonly string[]
  audience?: string | readonly string[]
  /** Exactly one of `jwks_url` and `secret` (the rendered secret, not a template). */
  jwks_url?: string
  secret?: string
  /** Default: RS256 with `jwks_url`, HS256 with `secret`. */
  algorithms?: readonly JwsAlgorithm[]
  /** Claim whose value is the user's id, compared with `connection.owner`. Default `sub`. */
  owner_claim?: string
  clock_tolerance_s?: number
  /** Refuse tokens without `exp`. Default false: SPEC 6.2 checks exp when the token has one. */
  require_exp?: boolean
  /** JWKS fetch timeout. Default 5000 ms. */
  jwks_timeout_ms?: number
  /** Minimum time between fetches triggered by an unknown `kid`. Default 30000 ms. */
  jwks_cooldown_ms?: number
  /** Keys are refetched when older than this. Default 600000 ms (10 minutes). */
  jwks_max_age_ms?: number
  /** For tests: replaces the global fetch for the JWKS request. */
  fetch?: FetchImplementation
}

export interface VerifiedUser {
  claims: JWTPayload
  /** The owner claim's value: the user id. */
  owner: string
}

export interface UserJwtVerifier {
  verify (token: string): Promise<VerifiedUser>
}

const DEFAULTS = { timeout: 5_000, cooldown: 30_000, maxAge: 600_000 } as const

/**
 * Verified tokens are remembered by their exact text, so a caller sending the same token on every
 * request pays one signature check instead of one per request (jwtVerify was the largest cost of
 * the user_jwt bench scenario). An entry serves until the token's `exp` (plus the configured
 * tolerance: the same instant jose would start refusing it) and at most MEMO_TTL_MS, so a key
 * removed from the JWKS stops admitting its tokens within a minute, well inside the JWKS cache
 * age. Only successes are remembered; the map is bounded, least recently used first out.
 */
const MEMO_MAX = 1024
const MEMO_TTL_MS = 60_000

/**
 * RFC 6750 asks for a challenge on 401s to bearer requests. It names no detail of the token.
 */
const CHALLENGE = { 'www-authenticate': 'Bearer realm="latchkey", error="invalid_token"' }

export function unauthenticatedBearer (message: string, cause?: unknown): GatewayError {
  return new GatewayError('unauthenticated', message, { cause, headers: CHALLENGE })
}

export function createUserJwtVerifier (options: UserJwtOptions): UserJwtVerifier {
  const { key, algorithms } = resolveKey(options)
  const ownerClaim = options.owner_claim ?? 'sub'
  const verifyOptions = {
    algorithms,
    ...(options.issuer !== undefined && { issuer: toArray(options.issuer) }),
    ...(options.audience !== undefined && { audience: toArray(options.audience) }),
    clockTolerance: options.clock_tolerance_s ?? 0,
    // A token without an expiry is valid until its key is rotated; operators who issue only
    // expiring tokens can make that a refusal.
    ...(options.require_exp === true && { requiredClaims: ['exp'] }),
  }

  const toleranceMs = verifyOptions.clockTolerance * 1000
  const memo = new LruMap<string, { user: VerifiedUser, until: number }>(MEMO_MAX)

  return {
    async verify (token: string): Promise<VerifiedUser> {
      const now = Date.now()
      const known = memo.get(token)
      if (known !== undefined) {
        if (now < known.until) return known.user
        memo.delete(token)
      }
      let claims: JWTPayload
      try {
        // Both overloads of jwtVerify take the key the same way; the union needs a cast.
        ;({ payload: claims } = await jwtVerify(token, key as JWTVerifyGetKey, verifyOptions))
      } catch (err) {
        throw toGatewayError(err)
      }
      const user = verifiedUser(claims, ownerClaim)
      // jose has checked `exp` when present (a number then). Without one, the memo's own limit
      // applies. Claims are shared by the requests that present this token, so they are frozen.
      const expires = typeof claims.exp === 'number' ? claims.exp * 1000 + toleranceMs : Infinity
      const until = Math.min(expires, now + MEMO_TTL_MS)
      if (until > now) {
        Object.freeze(claims)
        memo.set(token, { user, until })
      }
      return user
    },
  }
}

function verifiedUser (claims: JWTPayload, ownerClaim: string): VerifiedUser {
  const owner = claims[ownerClaim]
  if (typeof owner === 'string' && owner.length > 0) return { claims, owner }
  if (typeof owner === 'number' && Number.isSafeInteger(owner)) return { claims, owner: String(owner) }
  throw unauthenticatedBearer(`bearer token has no usable '${ownerClaim}' claim`)
}

function resolveKey (options: UserJwtOptions): { key: Uint8Array | JWTVerifyGetKey, algorithms: JwsAlgorithm[] } {
  if ((options.jwks_url === undefined) === (options.secret === undefined)) {
    throw new GatewayError('config_invalid', "callers.jwt needs exactly one of 'jwks_url' or 'secret'")
  }
  if (options.secret !== undefined) {
    if (options.secret.length === 0) throw new GatewayError('config_invalid', 'callers.jwt.secret must not be empty')
    const algorithms = [...(options.algorithms ?? ['HS256'])]
    // A shared secret only makes sense with HMAC; anything else is a misconfiguration.
    if (algorithms.some((a) => !a.startsWith('HS'))) throw new GatewayError('config_invalid', "callers.jwt.secret accepts only HS256/HS384/HS512")
    return { key: new TextEncoder().encode(options.secret), algorithms }
  }
  const algorithms = [...(options.algorithms ?? ['RS256'])]
  // Never accept HMAC with public keys: that is the algorithm-confusion attack (a token "signed"
  // with the public key as HMAC secret).
  if (algorithms.some((a) => a.startsWith('HS'))) throw new GatewayError('config_invalid', "callers.jwt.jwks_url does not accept HS* algorithms")
  const jwks = createRemoteJWKSet(new URL(options.jwks_url as string), {
    timeoutDuration: options.jwks_timeout_ms ?? DEFAULTS.timeout,
    cooldownDuration: options.jwks_cooldown_ms ?? DEFAULTS.cooldown,
    cacheMaxAge: options.jwks_max_age_ms ?? DEFAULTS.maxAge,
    ...(options.fetch !== undefined && { [customFetch]: options.fetch }),
  })
  return { key: jwks, algorithms }
}

function toArray (value: string | readonly string[]): string[] {
  return typeof value === 'string' ? [value] : [...value]
}

/**
 * Short reasons only: never the token, its claims' values or key material. The jose error is not
 * kept as `cause` (claim errors carry the whole payload); only its code and claim name are.
 */
function toGatewayError (joseErr: unknown): GatewayError {
  if (!(joseErr instanceof errors.JOSEError)) {
    // fetch() rejects with TypeError on a network failure to the JWKS URL; no token data in it.
    return unauthenticatedBearer('bearer token could not be verified: signing keys are unavailable', joseErr)
  }
  const claim = (joseErr as { claim?: unknown }).claim
  const err = { code: joseErr.code, ...(typeof claim === 'string' && { claim }) }
  switch (err.code) {
    case 'ERR_JWT_EXPIRED':
      return unauthenticatedBearer('bearer token is expired', err)
    case 'ERR_JWT_CLAIM_VALIDATION_FAILED':
      return unauthenticatedBearer(claimMessage(claim), err)
    case 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED':
      return unauthenticatedBearer('bearer token signature is invalid', err)
    case 'ERR_JOSE_ALG_NOT_ALLOWED':
      return unauthenticatedBearer('bearer token algorithm is not accepted', err)
    case 'ERR_JOSE_NOT_SUPPORTED':
      return unauthenticatedBearer('bearer token algorithm is not supported', err)
    case 'ERR_JWS_INVALID':
    case 'ERR_JWT_INVALID':
      return unauthenticatedBearer('bearer token is malformed', err)
    case 'ERR_JWKS_NO_MATCHING_KEY':
      return unauthenticatedBearer('bearer token signing key is not known', err)
    case 'ERR_JWKS_MULTIPLE_MATCHING_KEYS':
      return unauthenticatedBearer('bearer token signing key is ambiguous', err)
    case 'ERR_JWKS_TIMEOUT':
      return unauthenticatedBearer('bearer token could not be verified: signing keys did not arrive in time', err)
    case 'ERR_JWKS_INVALID':
    case 'ERR_JWK_INVALID':
    case 'ERR_JOSE_GENERIC':
      return unauthenticatedBearer('bearer token could not be verified: signing keys are unavailable', err)
    default:
      return unauthenticatedBearer('bearer token could not be verified', err)
  }
}

function claimMessage (claim: unknown): string {
  // `claim` is a claim name chosen by jose from our own options, not a value from the token.
  switch (claim) {
    case 'iss': return 'bearer token issuer is not accepted'
    case 'aud': return 'bearer token audience is not accepted'
    case 'nbf': return 'bearer token is not valid yet'
    case 'exp': return 'bearer token has no valid expiry'
    case 'iat': return 'bearer token issue time is invalid'
    case 'sub': return 'bearer token subject is invalid'
    default: return 'bearer token claims are invalid'
  }
}
