/**
 * `connections.<id>.rate_limit` (SPEC 3): a fixed window of `max` requests per `window`, counted
 * per caller, per user or per connection. Counters live in Redis when `cache.type: redis` (so
 * every process shares them) and fall back to this process while Redis is unreachable: a Redis
 * outage loosens the limit to per-process, it never stops traffic.
 */
import { GatewayError } from '../errors.js'
import type { RedisClient } from '../redis/connect.js'
import { rateKeys } from '../redis/keys.js'
import type { Caller } from './types.js'

export interface RateLimitRule {
  max: number
  windowMs: number
  per: 'caller' | 'user' | 'connection'
}

export interface WindowCount {
  count: number
  /** ms until the window ends */
  resetMs: number
}

export interface RateCounter {
  increment (key: string, windowMs: number): Promise<WindowCount>
}

export class MemoryRateCounter implements RateCounter {
  readonly #windows = new Map<string, { count: number, ends: number }>()
  readonly #now: () => number

  constructor (now: () => number = Date.now) {
    this.#now = now
  }

  async increment (key: string, windowMs: number): Promise<WindowCount> {
    const now = this.#now()
    let window = this.#windows.get(key)
    if (window === undefined || window.ends <= now) {
      if (this.#windows.size > 100_000) this.#sweep(now)
      window = { count: 0, ends: now + windowMs }
      this.#windows.set(key, window)
    }
    window.count++
    return { count: window.count, resetMs: window.ends - now }
  }

  #sweep (now: number): void {
    for (const [key, window] of this.#windows) if (window.ends <= now) this.#windows.delete(key)
  }
}

// INCR, and start the window on the first hit; PTTL tells the caller when it ends.
const INCREMENT = `local n = redis.call('incr', KEYS[1])
if n == 1 then redis.call('pexpire', KEYS[1], ARGV[1]) end
return {n, redis.call('pttl', KEYS[1])}`

export class RedisRateCounter implements RateCounter {
  readonly #client: RedisClient
  readonly #keys: ReturnType<typeof rateKeys>
  readonly #fallback: MemoryRateCounter

  constructor (client: RedisClient, prefix: string, fallback = new MemoryRateCounter()) {
    this.#client = client
    this.#keys = rateKeys(prefix)
    this.#fallback = fallback
  }

  async increment (key: string, windowMs: number): Promise<WindowCount> {
    try {
      const [count, ttl] = await this.#client.eval(INCREMENT, 1, this.#keys.window(key), windowMs) as [number, number]
      return { count, resetMs: ttl > 0 ? ttl : windowMs }
    } catch {
      return this.#fallback.increment(key, windowMs)
    }
  }
}

/** Throws 429 rate_limited with Retry-After when the caller is over the connection's limit. */
export async function enforceRateLimit (counter: RateCounter, connectionId: string, rule: RateLimitRule, caller: Caller, ip: string): Promise<void> {
  // Anonymous callers have no id: each client address gets its own window.
  const subject = rule.per === 'connection' ? '*' : caller.kind === 'anonymous' ? `ip:${ip}` : `${caller.kind}:${caller.id}`
  const { count, resetMs } = await counter.increment(`${connectionId}:${subject}`, rule.windowMs)
  if (count <= rule.max) return
  const retryAfter = String(Math.max(1, Math.ceil(resetMs / 1000)))
  throw new GatewayError('rate_limited', `more than ${rule.max} requests in ${rule.windowMs / 1000}s`, { headers: { 'retry-after': retryAfter } })
}
