/**
 * Connect sessions (SPEC 8): what `POST /connect/sessions` promised, kept in the cache for 15
 * minutes under the SHA-256 of its token, so a leaked cache dump cannot be replayed as links.
 * Every step reads the session by token; only the final POST consumes it, atomically, so two
 * submits racing (one process or several sharing Redis) store the connection at most once.
 */
import { createHash, randomBytes } from 'node:crypto'

/** SPEC 8: one-time, 15 minutes. */
export const SESSION_TTL_MS = 15 * 60 * 1000

export interface ConnectSession {
  connector: string
  /** The connection id to create, or the stored one to reconnect. */
  connection: string
  owner: string | null
  /** An exact, already-checked URL; null: the flow ends on a page. */
  return_to: string | null
  /** A pinned auth method; null lets the user choose. */
  auth: string | null
  /** The api key id that created the session (it gets access to the connection), if any. */
  created_by: string | null
  /** epoch ms */
  expires_at: number
}

/** What a token finds: the live session, a consumed one (410) or nothing (404). */
export type SessionLookup = { state: 'live', session: ConnectSession } | { state: 'used' } | { state: 'unknown' }

export interface SessionStore {
  /** Stores `session` under a fresh token and returns the token. */
  create (session: ConnectSession): Promise<string>
  /** Reads without consuming (GET page, form re-render). */
  peek (token: string): Promise<SessionLookup>
  /** One-time: exactly one caller of consume() for a live token gets `live`. */
  consume (token: string): Promise<SessionLookup>
  /** peek() by the token's digest (the OAuth callback knows the digest, never the token). */
  peekDigest (digest: string): Promise<SessionLookup>
  /** consume() by the token's digest. */
  consumeDigest (digest: string): Promise<SessionLookup>
  /** Keeps an OAuth state (SPEC 8) under `stateKey` (the state's SHA-256) for OAUTH_STATE_TTL_MS. */
  putOAuthState (stateKey: string, record: OAuthStateRecord): Promise<void>
  /**
   * One-time: exactly one caller gets `live` for a stored state; the state is then used up
   * (a later take is `used`, with what the error end needs) until its TTL ends.
   */
  takeOAuthState (stateKey: string): Promise<OAuthStateLookup>
  close (): Promise<void>
}

/** SPEC 8: an OAuth state lives 10 minutes. */
export const OAUTH_STATE_TTL_MS = 10 * 60 * 1000

/** What an authorize redirect left for its callback. Never holds the session token itself. */
export interface OAuthStateRecord {
  /** The connect session's token digest (sessionDigest). */
  session: string
  /** Where an error end goes once the state is used up: no secret in it. */
  connection: string
  return_to: string | null
  /** The oauth2 method's name. */
  method: string
  /** The non-password inputs typed before the redirect. */
  config: Record<string, string>
  /** PKCE code_verifier; null with `pkce: false`. */
  verifier: string | null
  /** The exact redirect_uri sent to the provider, repeated in the code exchange. */
  redirect_uri: string
  /** epoch ms */
  expires_at: number
}

/** What a used-up state still tells: where the error end goes. */
export interface UsedOAuthState { connection: string, return_to: string | null }

export type OAuthStateLookup = { state: 'live', record: OAuthStateRecord } | { state: 'used', used: UsedOAuthState } | { state: 'unknown' }

/** The stored text of a state: the used-up form first, a newline, then the whole record. */
export function serializeOAuthState (record: OAuthStateRecord): string {
  const used: UsedOAuthState = { connection: record.connection, return_to: record.return_to }
  return `${JSON.stringify(used)}\n${JSON.stringify(record)}`
}

export function parseOAuthState (text: string): OAuthStateRecord | undefined {
  const at = text.indexOf('\n')
  try {
    const value = JSON.parse(at === -1 ? text : text.slice(at + 1)) as OAuthStateRecord
    if (value === null || typeof value !== 'object' || typeof value.session !== 'string' || typeof value.method !== 'string' || typeof value.expires_at !== 'number') return undefined
    return value
  } catch {
    return undefined
  }
}

export function parseUsedOAuthState (text: string): UsedOAuthState | undefined {
  try {
    const value = JSON.parse(text) as UsedOAuthState
    if (value === null || typeof value !== 'object' || typeof value.connection !== 'string') return undefined
    return { connection: value.connection, return_to: typeof value.return_to === 'string' ? value.return_to : null }
  } catch {
    return undefined
  }
}

/** 32 random bytes, base64url: the bearer secret in the connect link. */
export function newSessionToken (): string {
  return randomBytes(32).toString('base64url')
}

/** The storage key of a token: its SHA-256, never the token itself. */
export function sessionDigest (token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex')
}

/** A well-formed token is 43 base64url characters; anything else is unknown without a lookup. */
export function isTokenShaped (token: string): boolean {
  return /^[A-Za-z0-9_-]{43}$/.test(token)
}

/** The stored text of a session; a record of another shape is treated as unknown. */
export function parseSession (text: string): ConnectSession | undefined {
  try {
    const value = JSON.parse(text) as ConnectSession
    if (value === null || typeof value !== 'object' || typeof value.connector !== 'string' || typeof value.connection !== 'string' || typeof value.expires_at !== 'number') return undefined
    return value
  } catch {
    return undefined
  }
}
