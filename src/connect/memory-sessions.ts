/**
 * Sessions in this process (cache.type: memory): a Map of token digest to session. JavaScript
 * runs one callback at a time, so reading and marking a session used in one synchronous step is
 * the atomic consumption that Redis needs a script for.
 */
import { newSessionToken, sessionDigest, type ConnectSession, type SessionLookup, type SessionStore } from './sessions.js'

type Entry = { session: ConnectSession, used: boolean }

export class MemorySessionStore implements SessionStore {
  readonly #entries = new Map<string, Entry>()
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

  async consume (token: string): Promise<SessionLookup> {
    const digest = sessionDigest(token)
    const found = this.#find(digest)
    // Kept as a tombstone until it expires, so a second submit is told 410 rather than 404.
    if (found.state === 'live') this.#entries.set(digest, { session: found.session, used: true })
    return found
  }

  async close (): Promise<void> {
    this.#entries.clear()
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
  }
}
