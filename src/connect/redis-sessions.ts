/**
 * Sessions in Redis (cache.type: redis): any process sharing the cache serves any step. One key
 * per session, `<prefix>connect:session:<sha256 of token>`, with the session's TTL; consuming
 * replaces the value with a `used` tombstone (same TTL) in one Lua script, so exactly one of
 * several racing submits, on any process, gets the session.
 */
import { closeRedisClient, type RedisClient } from '../redis/connect.js'
import { connectKeys } from '../redis/keys.js'
import { newSessionToken, OAUTH_STATE_TTL_MS, parseOAuthState, parseSession, parseUsedOAuthState, serializeOAuthState, sessionDigest, type ConnectSession, type OAuthStateLookup, type OAuthStateRecord, type SessionLookup, type SessionStore } from './sessions.js'

const USED = 'used'

// Returns the value it found; marks a live one used, keeping its TTL (Redis >= 6.0).
const CONSUME = `
local v = redis.call('GET', KEYS[1])
if v and v ~= ARGV[1] then redis.call('SET', KEYS[1], ARGV[1], 'KEEPTTL') end
return v`

// OAuth state: `<used form>\n<record>`. Taking returns the value and keeps only the used form
// (same TTL), prefixed `used\n`, so exactly one taker on any process gets the record.
const TAKE_STATE = `
local v = redis.call('GET', KEYS[1])
if v and string.sub(v, 1, 5) ~= 'used\\n' then
  local i = string.find(v, '\\n', 1, true)
  redis.call('SET', KEYS[1], 'used\\n' .. string.sub(v, 1, (i or 1) - 1), 'KEEPTTL')
end
return v`

export class RedisSessionStore implements SessionStore {
  readonly #client: RedisClient
  readonly #keys: ReturnType<typeof connectKeys>
  readonly #now: () => number

  constructor (client: RedisClient, prefix: string, now: () => number = Date.now) {
    this.#client = client
    this.#keys = connectKeys(prefix)
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
    return this.consumeDigest(sessionDigest(token))
  }

  async peekDigest (digest: string): Promise<SessionLookup> {
    return this.#lookup(await this.#client.get(this.#digestKey(digest)))
  }

  async consumeDigest (digest: string): Promise<SessionLookup> {
    return this.#lookup(await this.#client.eval(CONSUME, 1, this.#digestKey(digest), USED) as string | null)
  }

  async putOAuthState (stateKey: string, record: OAuthStateRecord): Promise<void> {
    await this.#client.set(this.#stateKey(stateKey), serializeOAuthState(record), 'PX', OAUTH_STATE_TTL_MS)
  }

  async takeOAuthState (stateKey: string): Promise<OAuthStateLookup> {
    const value = await this.#client.eval(TAKE_STATE, 1, this.#stateKey(stateKey)) as string | null
    if (value === null) return { state: 'unknown' }
    if (value.startsWith('used\n')) {
      const used = parseUsedOAuthState(value.slice(5))
      return used === undefined ? { state: 'unknown' } : { state: 'used', used }
    }
    const record = parseOAuthState(value)
    if (record === undefined || record.expires_at <= this.#now()) return { state: 'unknown' }
    return { state: 'live', record }
  }

  async close (): Promise<void> {
    await closeRedisClient(this.#client)
  }

  #key (token: string): string {
    return this.#digestKey(sessionDigest(token))
  }

  #digestKey (digest: string): string {
    return this.#keys.session(digest)
  }

  #stateKey (stateKey: string): string {
    return this.#keys.oauthState(stateKey)
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
