/**
 * Step 3 of the data plane (SPEC 6.2): may this caller use this connection, and this route.
 * Compiled once per connection at load; a request does a Set lookup and a linear glob match.
 */
import { GatewayError } from '../errors.js'
import { compileGlob, matchGlob, type CompiledGlob } from '../text/glob.js'
import type { Caller } from './types.js'

export interface AccessPolicy {
  anonymous: boolean
  callers: readonly string[]
  users: boolean | 'owner'
  allow?: readonly string[] | undefined
}

export interface CompiledAccess {
  /**
   * Throws `forbidden` when the policy refuses the caller, then `route_not_allowed` when no
   * `allow` rule matches. `normalizedPath` is `checkForwardPath(...).normalized`.
   */
  check (caller: Caller, method: string, normalizedPath: string, connectionOwner: string | null): void
  admits (caller: Caller, connectionOwner: string | null): boolean
  routeAllowed (method: string, normalizedPath: string): boolean
}

export interface AllowRule { method: string | null, path: CompiledGlob }

// The same message for every refusal: it must not reveal who the connection is for.
const FORBIDDEN = 'this caller may not use this connection'
const FORBIDDEN_ANONYMOUS = 'this connection needs a caller: send X-Latchkey-Key with an api key, or Authorization: Bearer with a user token'
const NOT_ALLOWED = 'this method and path are not allowed on this connection'

export function compileAccess (access: AccessPolicy): CompiledAccess {
  const anyKey = access.callers.includes('*')
  const keyIds = new Set(access.callers)
  const users = access.users
  const rules = access.allow?.map(compileAllowRule)

  const admits = (caller: Caller, owner: string | null): boolean => {
    switch (caller.kind) {
      case 'anonymous': return access.anonymous
      // Admin keys get no bypass: `admin` is about /admin, not about connections.
      case 'api_key': return anyKey || keyIds.has(caller.id)
      case 'user': return users === true || (users === 'owner' && owner !== null && caller.id === owner)
    }
  }
  const routeAllowed = (method: string, path: string): boolean => {
    if (rules === undefined) return true
    const segments = path.split('/').slice(1)
    return rules.some((r) => (r.method === null || r.method === method) && matchGlob(r.path, segments))
  }

  return {
    admits,
    routeAllowed,
    check (caller, method, normalizedPath, connectionOwner) {
      if (!admits(caller, connectionOwner)) throw new GatewayError('forbidden', caller.kind === 'anonymous' ? FORBIDDEN_ANONYMOUS : FORBIDDEN)
      if (!routeAllowed(method, normalizedPath)) throw new GatewayError('route_not_allowed', NOT_ALLOWED)
    },
  }
}

/**
 * `"METHOD /path/glob"`; METHOD is `*` or an exact (case-sensitive) method. In the glob, a
 * segment that is exactly `*` matches one non-empty segment; `*` inside a segment matches any
 * run of characters except `/`; a segment that is exactly `**` matches zero or more whole
 * segments. Everything else is literal, and the whole path must match (no implicit trailing
 * slash or prefix match).
 */
export function compileAllowRule (rule: string): AllowRule {
  const m = /^(\*|[A-Z]+) (\/\S*)$/.exec(rule.trim())
  if (m === null) throw new GatewayError('config_invalid', `allow rule '${rule}' is not 'METHOD /path/glob'`)
  const method = m[1] as string
  // Matched segment by segment (src/text/glob.ts), never as one RegExp: a RegExp of in-segment
  // `*`s backtracks, and one request of 5,000 dashes took 35 s against `/reports/*-*-*.csv`.
  const path = compileGlob((m[2] as string).split('/').slice(1), PATH_GLOB)
  return { method: method === '*' ? null : method, path }
}

/** Path segments: `**` takes zero or more of them, an in-segment `*` zero or more characters. */
const PATH_GLOB = { deepMin: 0, starMin: 0 } as const
