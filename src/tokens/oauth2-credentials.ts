/**
 * How an OAuth 2.0 connection's tokens sit in its stored credentials (SPEC 7.1, 8): written by
 * the connect callback and by every refresh, read by the `oauth2` auth method.
 *
 * - `access_token`, `refresh_token` (when the provider gave one), `token_type`, `scope`;
 * - `expires_at`: epoch seconds, when the provider said `expires_in`;
 * - `refresh_at`: epoch seconds from which a request refreshes first. SPEC 7.1 says "when less
 *   than 5 minutes remain"; a token that lives under 10 minutes would then be refreshed on every
 *   request, so the margin is min(5 minutes, half the token's life).
 */
import { parseExpiresIn } from './lifetime.js'

export const REFRESH_MARGIN_S = 300

export type OAuth2Credentials = Readonly<Record<string, string>>

/** The stored credentials for a token answer; the previous refresh token is kept when none came. */
export function credentialsFromToken (token: Readonly<Record<string, unknown>>, nowMs: number, previous?: OAuth2Credentials): Record<string, string> {
  const out: Record<string, string> = { access_token: String(token.access_token) }
  const refresh = typeof token.refresh_token === 'string' && token.refresh_token !== '' ? token.refresh_token : previous?.refresh_token
  if (refresh !== undefined) out.refresh_token = refresh
  if (typeof token.token_type === 'string') out.token_type = token.token_type
  if (typeof token.scope === 'string') out.scope = token.scope
  const life = parseExpiresIn(token.expires_in)
  if (life !== undefined) {
    const now = Math.floor(nowMs / 1000)
    out.expires_at = String(now + Math.floor(life))
    out.refresh_at = String(now + Math.floor(life - Math.min(REFRESH_MARGIN_S, life / 2)))
  }
  return out
}

/** Seconds the access token may still be used before a refresh is due; Infinity when it never expires. */
export function secondsUntilRefresh (credentials: OAuth2Credentials, nowMs: number): number {
  const now = nowMs / 1000
  const refreshAt = Number(credentials.refresh_at)
  if (Number.isFinite(refreshAt)) return refreshAt - now
  const expiresAt = Number(credentials.expires_at)
  if (Number.isFinite(expiresAt)) return expiresAt - REFRESH_MARGIN_S - now
  // No expiry given (GitHub's classic tokens): usable until an upstream 401 says otherwise.
  return credentials.access_token === undefined ? 0 : Infinity
}
