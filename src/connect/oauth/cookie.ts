/**
 * The browser binding of an OAuth flow (login CSRF, RFC 6749 10.12): the authorize redirect sets
 * `latchkey_oauth=<base64url sha256 of state>` on the callback's path, and the callback accepts a
 * state only from the browser that holds that cookie (unless server.connect.browser_binding is
 * false). SameSite=Lax: the provider's redirect back is a top-level GET, which carries it.
 */
import { timingSafeEqual } from 'node:crypto'

export const OAUTH_COOKIE = 'latchkey_oauth'
export const OAUTH_COOKIE_PATH = '/connect/oauth'
/** Seconds: the state's own life (10 minutes). */
export const OAUTH_COOKIE_MAX_AGE = 600

export function bindingCookie (binding: string, secure: boolean): string {
  return `${OAUTH_COOKIE}=${binding}; Path=${OAUTH_COOKIE_PATH}; HttpOnly; SameSite=Lax; Max-Age=${OAUTH_COOKIE_MAX_AGE}${secure ? '; Secure' : ''}`
}

export function clearedCookie (secure: boolean): string {
  return `${OAUTH_COOKIE}=; Path=${OAUTH_COOKIE_PATH}; HttpOnly; SameSite=Lax; Max-Age=0${secure ? '; Secure' : ''}`
}

/** The value of our cookie in a Cookie header, or undefined. */
export function cookieValue (header: string | string[] | undefined): string | undefined {
  const text = Array.isArray(header) ? header.join('; ') : header
  if (text === undefined) return undefined
  for (const part of text.split(';')) {
    const at = part.indexOf('=')
    if (at !== -1 && part.slice(0, at).trim() === OAUTH_COOKIE) return part.slice(at + 1).trim()
  }
  return undefined
}

/** Whether the request's cookie equals `expected`, compared in constant time. */
export function bindingMatches (header: string | string[] | undefined, expected: string): boolean {
  const value = cookieValue(header)
  if (value === undefined) return false
  const a = Buffer.from(value, 'utf8')
  const b = Buffer.from(expected, 'utf8')
  return a.length === b.length && timingSafeEqual(a, b)
}
