/**
 * Sessions in Redis (cache.type: redis): any process sharing the cache serves any step. One key
 * per session, `<prefix>connect:session:<sha256 of token>`, with the session's TTL; consuming
 * replaces the value with a `used` tombstone (same TTL) in one Lua script, so exactly one of
 * several racing submits, on any process, gets the session.
 */
import type { Redis } from 'ioredis'
import { newSessionToken, parseSession, sessionDigest, type ConnectSession, type SessionLookup, type SessionStore } from './sessions.js'

const USED = 'used'

// Returns the value it found; marks a live one used, keeping its TTL (Redis >= 6.0).
const CONSUME = `
local v = redis.call('GET', KEYS[1])
if v and v ~= ARGV[1] then redis.call('SET', KEYS[1], ARGV[1], 'KEEPTTL') end
return v`

export class RedisSessionStore implements SessionStore {
  readonly #client: Redis
  readonly #prefix: string
  readonly #now: () => number

  constructor (client: Redis, prefix: string, now: () => number = Date.now) {
    this.#client = client
    this.#prefix = prefix
    this.#now = now
  }

  async create (session: ConnectSession): Promise<string> {
    const token = newSessionToken()
    const ttl = Math.max(1, session.expires_at - this.#now())
    await this.#client.set(this.#key(token), JSON.stringify(session), 'PX', ttl)
    return token
  }

  async peek (token: string): Promise<SessionLookup> {
    return this.#lookup(await this.#client.get(this.#key(token)))
  }

  async consume (token: string): Promise<SessionLookup> {
    return this.#lookup(await this.#client.eval(CONSUME, 1, this.#key(token), USED) as string | null)
  }

  async close (): Promise<void> {
    await this.#client.quit().catch(() => this.#client.disconnect())
  }

  #key (token: string): string {
    return `${this.#prefix}connect:session:${sessionDigest(token)}`
  }

  #lookup (value: string | null): SessionLookup {
    if (value === null) return { state: 'unknown' }
    if (value === USED) return { state: 'used' }
    const session = parseSession(value)
    // The record's own expiry decides too: an injected clock (tests) runs ahead of Redis's.
    if (session === undefined || session.expires_at <= this.#now()) return { state: 'unknown' }
    return { state: 'live', session }
  }
}
