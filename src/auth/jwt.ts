/**
 * `jwt`: a JWT signed per request from rendered claims. Memoised (SPEC 7.2): within one second,
 * identical rendered header and claims reuse the token already signed, so a hot path signs at
 * most once per second per distinct claim set.
 */
import type { AuthMethodOf } from '../config/schema.js'
import { compileClaims } from './claims.js'
import type { AuthDeps } from './types.js'
import { signJwt } from './jwt-signing.js'
import { render, type AuthMethod } from './types.js'

const MEMO_LIMIT = 1024

export function jwtMethod (config: AuthMethodOf<'jwt'>, deps: AuthDeps): AuthMethod {
  const algorithm = config.algorithm ?? 'RS256'
  const privateKey = deps.compiler.compile(config.private_key, 'auth')
  const claims = compileClaims(config.claims, deps.compiler)
  const headers = compileClaims(config.jwt_headers, deps.compiler)
  const headerName = (config.header ?? 'Authorization').toLowerCase()
  const prefix = config.prefix ?? 'Bearer '
  let memoSecond = -1
  // The memo holds tokens signed with one key text; a different key starts a new memo. The key
  // stays out of the memo key: stringifying and hashing a whole PEM per request was most of
  // apply()'s own time in the jwt_rs256 bench profile.
  let memoKeyText: string | undefined
  let memo = new Map<string, Promise<string>>()

  return {
    type: 'jwt',
    templates: [privateKey, ...claims.templates, ...headers.templates],
    tokenBased: false,
    async apply (s) {
      const keyText = render(privateKey, s)
      const renderedClaims = claims.render(s)
      const renderedHeaders = headers.render(s)
      const second = Math.floor(deps.now() / 1000)
      if (second !== memoSecond || keyText !== memoKeyText) {
        memoSecond = second
        memoKeyText = keyText
        memo = new Map()
      }
      // This request's memo: if another request starts a new one while this one signs, the
      // token goes into the old memo (dropped), never into a memo of another key or second.
      const current = memo
      const memoKey = JSON.stringify([renderedHeaders, renderedClaims])
      // The memo holds the signing in flight: the requests of a new second wait for one
      // signature instead of each starting its own (the jwt_rs256 bench's p99 was 1.6x the bare
      // proxy's, from a burst of RSA signatures at every second boundary).
      let signing = current.get(memoKey)
      if (signing === undefined) {
        signing = signJwt(renderedClaims, renderedHeaders, deps.signingKeys.get(keyText, algorithm), algorithm)
        if (current.size < MEMO_LIMIT) {
          const entry = signing
          current.set(memoKey, entry)
          entry.catch(() => { if (current.get(memoKey) === entry) current.delete(memoKey) })
        }
      }
      const token = await signing
      return { headers: [[headerName, `${prefix}${token}`]], query: [] }
    },
  }
}
