/**
 * `oauth_jwt_bearer` (RFC 7523 section 2.1): a signed assertion exchanged for an access token,
 * which is cached and sent as Bearer. The assertion goes to the token endpoint only, never to the
 * upstream.
 */
import { createHash } from 'node:crypto'
import type { AuthMethodOf } from '../config/schema.js'
import { durationMs } from '../config/units.js'
import { requestToken } from '../tokens/endpoint.js'
import { parseExpiresIn, usableSeconds } from '../tokens/lifetime.js'
import { compileClaims } from './claims.js'
import type { AuthDeps } from './types.js'
import { signJwt } from './jwt-signing.js'
import { bearerOf, bearerOutcome, render, type AuthMethod, type AuthScope } from './types.js'

export const JWT_BEARER_GRANT = 'urn:ietf:params:oauth:grant-type:jwt-bearer'
export const ASSERTION_LIFETIME_S = 180
/**
 * Claims that describe one assertion (its time window, its nonce), not whom the token is for.
 * They stay out of the cache key: `nbf: "{{ now() }}"` or `jti: "{{ uuid() }}"` would otherwise
 * give every request a new key and a new token request.
 */
const PER_ASSERTION_CLAIMS = new Set(['exp', 'iat', 'nbf', 'jti'])

export function jwtBearerMethod (config: AuthMethodOf<'oauth_jwt_bearer'>, deps: AuthDeps): AuthMethod {
  const c = deps.compiler
  const algorithm = config.algorithm ?? 'RS256'
  const clientId = c.compile(config.client_id, 'auth')
  const privateKey = c.compile(config.private_key, 'auth')
  const tokenUrl = c.compile(config.token_url, 'auth')
  const subject = c.compile(config.subject, 'auth')
  const audience = c.compile(config.audience, 'auth')
  const scope = config.scope === undefined ? undefined : c.compile(config.scope, 'auth')
  const additional = compileClaims(config.additional_claims, c)
  const headers = compileClaims(config.jwt_headers, c)
  const ttlS = config.token_ttl === undefined ? 3600 : durationMs(config.token_ttl) / 1000
  const dispatcher = deps.tokenDispatcher(!tokenUrl.isStatic)

  // The digest of the last key text: the key rarely changes, and a warm request then hashes
  // nothing instead of a SHA-256 over a whole PEM per request.
  let lastKey: { text: string, digest: string } | undefined
  const digestOf = (text: string): string => {
    if (lastKey?.text !== text) lastKey = { text, digest: createHash('sha256').update(text).digest('base64url') }
    return lastKey.digest
  }

  const request = (s: AuthScope) => {
    const keyText = render(privateKey, s)
    const fields = {
      url: render(tokenUrl, s),
      iss: render(clientId, s),
      sub: render(subject, s),
      aud: render(audience, s),
      scope: scope === undefined ? undefined : render(scope, s),
      additional: additional.render(s),
      headers: headers.render(s),
    }
    // The key enters the cache key by digest: a rotated key is a new token.
    const keyDigest = digestOf(keyText)
    const identity = { ...fields, additional: Object.entries(fields.additional).filter(([name]) => !PER_ASSERTION_CLAIMS.has(name)) }
    return { keyText, fields, key: deps.tokenKey([s.key, 'oauth_jwt_bearer', algorithm, keyDigest, identity]) }
  }

  return {
    type: 'oauth_jwt_bearer',
    templates: [clientId, privateKey, tokenUrl, subject, audience, ...(scope ? [scope] : []), ...additional.templates, ...headers.templates],
    tokenBased: true,
    apply (s) {
      const { keyText, fields, key } = request(s)
      const cached = deps.tokens.cached(key)
      if (cached !== undefined) return bearerOutcome(cached)
      return deps.tokens.token({
        key,
        connection: s.context.connection.id,
        fetch: async () => {
          const now = Math.floor(deps.now() / 1000)
          const assertion = await signJwt(
            { iss: fields.iss, sub: fields.sub, aud: fields.aud, iat: now, exp: now + ASSERTION_LIFETIME_S, ...fields.additional },
            fields.headers, deps.signingKeys.get(keyText, algorithm), algorithm)
          const form: Array<readonly [string, string]> = [['grant_type', JWT_BEARER_GRANT], ['assertion', assertion]]
          if (fields.scope !== undefined && fields.scope !== '') form.push(['scope', fields.scope])
          const res = await requestToken({ dispatcher, url: fields.url, form, timeoutMs: deps.tokenTimeoutMs })
          return { access_token: res.access_token, usable_s: usableSeconds(parseExpiresIn(res.expires_in), ttlS) }
        },
      }).then(bearerOutcome)
    },
    async invalidate (s, rejected) {
      const token = bearerOf(rejected)
      if (token !== undefined) await deps.tokens.purge(request(s).key, token)
    },
  }
}
