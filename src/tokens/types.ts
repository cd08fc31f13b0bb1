/**
 * How an oauth2 refresh ended (latchkey_token_refreshes_total): `ok` the provider gave new
 * tokens; `already_refreshed` another process had refreshed, its token was used; `refresh_failed`
 * the provider refused the refresh token (or there was none): the user must reconnect; `error`
 * any other failure (5xx, timeout, unreachable); `backoff` refused unasked after recent errors.
 */
export type RefreshResult = 'ok' | 'already_refreshed' | 'refresh_failed' | 'error' | 'backoff'

/** A token obtained from a token endpoint, as cached. */
export interface Token {
  readonly access_token: string
  /** Epoch ms after which the token is never injected. */
  readonly expires_at: number
}

/** Shared tier of the token cache (Redis). Every method may throw when the backend is down. */
export interface SharedTokenStore {
  get (key: string): Promise<Token | undefined>
  set (key: string, token: Token, ttlMs: number): Promise<void>
  delete (key: string): Promise<void>
  /** A failure marker so other processes back off too: `untilMs` on the service clock, kept `ttlMs`. */
  setFailure (key: string, untilMs: number, ttlMs: number): Promise<void>
  failureUntil (key: string): Promise<number | undefined>
  /** SET NX PX with an owner token; undefined when someone else holds it. */
  lock (key: string, ttlMs: number): Promise<TokenLock | undefined>
  /** Resolves when `key` is announced (token stored or lock released), or after `timeoutMs`. */
  waitForAnnouncement (key: string, timeoutMs: number): Promise<void>
  /** Tells every process that `key` changed (stored, purged, failed). */
  announce (key: string): Promise<void>
  /** Called with a key another process purged, to drop it from the in-process tier. */
  onPurge (listener: (key: string) => void): void
  close (): Promise<void>
}

export interface TokenLock {
  /** Deletes the lock only if this owner still holds it. */
  release (): Promise<void>
}
