/**
 * CORS for `callers.cors.origins` (SPEC 6.2). Preflights are answered by latchkey and never
 * forwarded; a response to an allowed origin gets the headers from `corsHeadersFor`.
 * Pure: origins are normalized once here, a request does a Set lookup.
 */

export interface CorsOptions {
  /** Exact origins (`https://app.example.com`) or `*` for any origin. */
  origins: readonly string[]
  /** `Access-Control-Max-Age` for preflights. Default 600 s. */
  max_age_s?: number | undefined
}

export type HeaderMap = Record<string, string>

export interface Cors {
  isAllowed (origin: string | undefined): boolean
  /**
   * Headers for an actual (non-preflight) response. Always includes `Vary: Origin` because the
   * answer depends on the Origin; the allow headers only when the origin is allowed.
   */
  corsHeadersFor (origin: string | undefined): HeaderMap
  /**
   * Headers for a 204 answer to a preflight, or undefined when the origin is not allowed or the
   * preflight is malformed (the app then answers 403 without CORS headers).
   */
  preflight (origin: string | undefined, requestMethod: string | undefined, requestHeaders: string | undefined): HeaderMap | undefined
}

export const CORS_METHODS = 'GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS'
const EXPOSED = 'X-Request-Id, Server-Timing'
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/
// Bounds what a preflight can make us echo back.
const MAX_REQUEST_HEADERS = 64

/** True for an OPTIONS request that is a CORS preflight rather than a plain OPTIONS call. */
export function isPreflight (method: string, origin: string | undefined, requestMethod: string | undefined): boolean {
  return method === 'OPTIONS' && origin !== undefined && requestMethod !== undefined
}

export function compileCors (options: CorsOptions): Cors {
  const anyOrigin = options.origins.includes('*')
  const origins = new Set(options.origins.filter((o) => o !== '*').map(normalizeOrigin))
  const maxAge = String(Math.max(0, Math.floor(options.max_age_s ?? 600)))

  const isAllowed = (origin: string | undefined): boolean => {
    // "null" comes from sandboxed frames, file: pages and cross-origin redirects: no one can be
    // told apart from anyone else behind it, so even "*" does not admit it.
    if (origin === undefined || origin === 'null' || origin === '') return false
    return anyOrigin || origins.has(origin)
  }

  return {
    isAllowed,
    corsHeadersFor (origin): HeaderMap {
      if (!isAllowed(origin)) return { vary: 'Origin' }
      return {
        'access-control-allow-origin': origin as string,
        'access-control-expose-headers': EXPOSED,
        // Lets the frontend read Server-Timing through the Resource Timing API too.
        'timing-allow-origin': origin as string,
        vary: 'Origin',
      }
    },
    preflight (origin, requestMethod, requestHeaders) {
      if (!isAllowed(origin)) return undefined
      if (requestMethod === undefined || !TOKEN.test(requestMethod)) return undefined
      const headers: HeaderMap = {
        'access-control-allow-origin': origin as string,
        'access-control-allow-methods': CORS_METHODS,
        'access-control-max-age': maxAge,
        vary: 'Origin, Access-Control-Request-Method, Access-Control-Request-Headers',
      }
      const allowHeaders = requestedHeaders(requestHeaders)
      if (allowHeaders !== '') headers['access-control-allow-headers'] = allowHeaders
      return headers
    },
  }
}

/**
 * Echo the requested header names that are valid tokens, lower-cased; drop anything else.
 * Any header may be sent because header hygiene (not CORS) decides what reaches the upstream.
 */
function requestedHeaders (value: string | undefined): string {
  if (value === undefined) return ''
  const names: string[] = []
  for (const part of value.split(',')) {
    const name = part.trim().toLowerCase()
    if (name !== '' && TOKEN.test(name) && !names.includes(name)) names.push(name)
    if (names.length === MAX_REQUEST_HEADERS) break
  }
  return names.join(', ')
}

/** Browsers send the serialized origin: lower-case scheme and host, no default port, no slash. */
function normalizeOrigin (origin: string): string {
  try {
    return new URL(origin).origin
  } catch {
    return origin
  }
}
