/**
 * Sessions in this process (cache.type: memory): a Map of token digest to session. JavaScript
 * runs one callback at a time, so reading and marking a session used in one synchronous step is
 * the atomic consumption that Redis needs a script for.
 */
import { newSessionToken, OAUTH_STATE_TTL_MS, sessionDigest, type ConnectSession, type OAuthStateLookup, type OAuthStateRecord, type SessionLookup, type SessionStore, type UsedOAuthState } from './sessions.js'

type Entry = { session: ConnectSession, used: boolean }
/** `record` while live; once taken only `used` is left (the verifier and typed values go). */
type StateEntry = { record: OAuthStateRecord | undefined, used: UsedOAuthState, expires_at: number }

export class MemorySessionStore implements SessionStore {
  readonly #entries = new Map<string, Entry>()
  readonly #states = new Map<string, StateEntry>()
  readonly #now: () => number

  constructor (now: () => number = Date.now) {
    this.#now = now
  }

  async create (session: ConnectSession): Promise<string> {
    this.#sweep()
    const token = newSessionToken()
    this.#entries.set(sessionDigest(token), { session, used: false })
    return token
  }

  async peek (token: string): Promise<SessionLookup> {
    return this.#find(sessionDigest(token))
  }

  async peekDigest (digest: string): Promise<SessionLookup> {
    return this.#find(digest)
  }

  async consume (token: string): Promise<SessionLookup> {
    return this.consumeDigest(sessionDigest(token))
  }

  async putOAuthState (stateKey: string, record: OAuthStateRecord): Promise<void> {
    this.#sweep()
    this.#states.set(stateKey, { record, used: { connection: record.connection, return_to: record.return_to }, expires_at: this.#now() + OAUTH_STATE_TTL_MS })
  }

  async takeOAuthState (stateKey: string): Promise<OAuthStateLookup> {
    const entry = this.#states.get(stateKey)
    if (entry === undefined) return { state: 'unknown' }
    if (entry.expires_at <= this.#now()) {
      this.#states.delete(stateKey)
      return { state: 'unknown' }
    }
    const record = entry.record
    if (record === undefined) return { state: 'used', used: entry.used }
    // Read and used up in one synchronous step.
    entry.record = undefined
    return { state: 'live', record }
  }

  async consumeDigest (digest: string): Promise<SessionLookup> {
    const found = this.#find(digest)
    // Kept as a tombstone until it expires, so a second submit is told 410 rather than 404.
    if (found.state === 'live') this.#entries.set(digest, { session: found.session, used: true })
    return found
  }

  async close (): Promise<void> {
    this.#entries.clear()
    this.#states.clear()
  }

  #find (digest: string): SessionLookup {
    const entry = this.#entries.get(digest)
    if (entry === undefined) return { state: 'unknown' }
    if (entry.session.expires_at <= this.#now()) {
      this.#entries.delete(digest)
      return { state: 'unknown' }
    }
    return entry.used ? { state: 'used' } : { state: 'live', session: entry.session }
  }

  /** Expired sessions go when new ones come, so the map never outgrows 15 minutes of links. */
  #sweep (): void {
    const now = this.#now()
    for (const [digest, entry] of this.#entries) if (entry.session.expires_at <= now) this.#entries.delete(digest)
    for (const [key, entry] of this.#states) if (entry.expires_at <= now) this.#states.delete(key)
  }
}
