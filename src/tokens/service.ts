/**
 * Obtains and reuses tokens. Three tiers: an in-process map (a warm request costs no Redis round
 * trip), the shared store (Redis, tokens sealed) and the token endpoint. Concurrent requests for a
 * missing token make exactly one token request per key: within a process through one shared
 * in-flight promise, across processes through a Redis lock with an owner token and a re-check
 * after locking. Waiters are woken by a pub/sub announcement, with a slow re-check as a safety
 * net. When Redis is unreachable the process fetches for itself and keeps serving.
 */
import { GatewayError } from '../errors.js'
import type { Logger } from '../observability/logger.js'
import { Backoff } from './backoff.js'
import type { SharedTokenStore, Token } from './types.js'

export interface TokenFetch {
  /** Cache key: derived from connection, method and every rendered token-request field. */
  key: string
  /** Calls the token endpoint. Throws GatewayError on failure. */
  fetch: () => Promise<FetchedToken>
  /** The connection id, for metrics only (the key says nothing readable). */
  connection?: string
}

export interface FetchedToken {
  access_token: string
  /** How long it may be used, already reduced by the early-expiry margin. 0: this request only. */
  usable_s: number
}

export interface TokenEvents {
  hit? (tier: 'local' | 'shared'): void
  miss? (): void
  fetched? (result: 'ok' | 'error' | 'backoff'): void
  /** A request waited this long for another request's fetch of the same token (single flight). */
  waited? (connection: string, seconds: number): void
  /** A Redis command of the shared tier failed (or the client reported a connection error). */
  redisError? (role: 'cache' | 'cache_subscriber'): void
}

export interface TokenServiceOptions {
  shared?: SharedTokenStore | undefined
  now?: () => number
  logger?: Logger
  events?: TokenEvents
  /** Longest a lock holder may take; must exceed the token endpoint timeout. */
  lockTtlMs?: number
  /** Upper bound of one wait for another process's fetch before re-checking. */
  recheckMs?: number
}

const LOCAL_LIMIT = 10_000
const FAILED = 'the token endpoint failed recently; retrying after a back-off'

export class TokenService {
  readonly #local = new Map<string, Token>()
  readonly #inflight = new Map<string, Promise<Token>>()
  readonly #backoff: Backoff
  readonly #shared: SharedTokenStore | undefined
  readonly #now: () => number
  readonly #logger: Logger | undefined
  readonly #events: TokenEvents
  readonly #lockTtlMs: number
  readonly #recheckMs: number
  #sharedDown = false

  constructor (options: TokenServiceOptions = {}) {
    this.#shared = options.shared
    this.#now = options.now ?? Date.now
    this.#backoff = new Backoff(this.#now)
    this.#logger = options.logger
    this.#events = options.events ?? {}
    this.#lockTtlMs = options.lockTtlMs ?? 15_000
    this.#recheckMs = options.recheckMs ?? 1000
    this.#shared?.onPurge((key) => this.#local.delete(key))
  }

  /**
   * The token the in-process tier holds for `key`, when it is still usable: what token() would
   * answer without waiting. Warm requests of the token-based methods ask this first, so they
   * await nothing (token() itself is async: a promise and a microtask per request).
   */
  cached (key: string): string | undefined {
    const local = this.#local.get(key)
    if (local === undefined || local.expires_at <= this.#now()) return undefined
    this.#events.hit?.('local')
    return local.access_token
  }

  /** The access token for `request.key`, fetched only when no usable one is cached anywhere. */
  async token (request: TokenFetch): Promise<string> {
    const cached = this.cached(request.key)
    if (cached !== undefined) return cached
    let pending = this.#inflight.get(request.key)
    if (pending === undefined) {
      pending = this.#obtain(request).finally(() => this.#inflight.delete(request.key))
      this.#inflight.set(request.key, pending)
    } else if (this.#events.waited !== undefined) {
      // Joined another request's fetch in this process: that wait is a lock wait too.
      const started = performance.now()
      const waited = () => this.#events.waited!(request.connection ?? '', (performance.now() - started) / 1000)
      pending.then(waited, waited)
    }
    return (await pending).access_token
  }

  /** After an upstream 401: forget the token everywhere, so the next request fetches anew. */
  async purge (key: string, rejected: string): Promise<void> {
    if (this.#local.get(key)?.access_token === rejected) this.#local.delete(key)
    if (this.#shared === undefined) return
    try {
      const shared = await this.#shared.get(key)
      if (shared === undefined || shared.access_token === rejected) await this.#shared.delete(key)
      await this.#shared.announce(key)
    } catch (err) {
      this.#sharedUnavailable(err)
    }
  }

  async #obtain (request: TokenFetch): Promise<Token> {
    if (this.#backoff.blockedUntil(request.key) !== undefined) {
      this.#events.fetched?.('backoff')
      throw new GatewayError('token_exchange_failed', FAILED)
    }
    if (this.#shared !== undefined) {
      try {
        return await this.#obtainShared(request, this.#shared)
      } catch (err) {
        if (err instanceof GatewayError) throw err
        this.#sharedUnavailable(err)
      }
    }
    this.#events.miss?.()
    return this.#fetch(request, undefined)
  }

  async #obtainShared (request: TokenFetch, shared: SharedTokenStore): Promise<Token> {
    const deadline = this.#now() + this.#lockTtlMs * 2
    // Set when another process held the lock: from then until this request has a token.
    let waitingSince: number | undefined
    try {
      return await this.#obtainSharedLoop(request, shared, deadline, () => { waitingSince ??= performance.now() })
    } finally {
      if (waitingSince !== undefined) this.#events.waited?.(request.connection ?? '', (performance.now() - waitingSince) / 1000)
    }
  }

  async #obtainSharedLoop (request: TokenFetch, shared: SharedTokenStore, deadline: number, lockRefused: () => void): Promise<Token> {
    for (;;) {
      const cached = await this.#usableShared(request.key, shared)
      if (cached !== undefined) return cached
      const failedUntil = await shared.failureUntil(request.key)
      if (failedUntil !== undefined && failedUntil > this.#now()) {
        this.#events.fetched?.('backoff')
        throw new GatewayError('token_exchange_failed', FAILED)
      }
      // Listen before trying the lock, so an announcement between the two is not missed.
      const announced = shared.waitForAnnouncement(request.key, this.#recheckMs)
      const lock = await shared.lock(request.key, this.#lockTtlMs)
      if (lock === undefined) {
        lockRefused()
        await announced
        if (this.#now() > deadline) throw new GatewayError('token_exchange_failed', 'timed out waiting for another token request')
        continue
      }
      try {
        // Re-check under the lock: another process may have stored one since our read.
        const again = await this.#usableShared(request.key, shared)
        if (again !== undefined) return again
        this.#events.miss?.()
        return await this.#fetch(request, shared)
      } finally {
        await lock.release().catch((err: unknown) => this.#sharedUnavailable(err))
        await shared.announce(request.key).catch((err: unknown) => this.#sharedUnavailable(err))
      }
    }
  }

  async #usableShared (key: string, shared: SharedTokenStore): Promise<Token | undefined> {
    const token = await shared.get(key)
    this.#sharedBack()
    if (token === undefined || token.expires_at <= this.#now()) return undefined
    this.#events.hit?.('shared')
    this.#remember(key, token)
    return token
  }

  async #fetch (request: TokenFetch, shared: SharedTokenStore | undefined): Promise<Token> {
    let fetched: FetchedToken
    try {
      fetched = await request.fetch()
    } catch (err) {
      this.#events.fetched?.('error')
      const until = this.#backoff.fail(request.key)
      await shared?.setFailure(request.key, until, until - this.#now()).catch((e: unknown) => this.#sharedUnavailable(e))
      throw err
    }
    this.#events.fetched?.('ok')
    this.#backoff.succeed(request.key)
    const usableMs = fetched.usable_s * 1000
    const token: Token = { access_token: fetched.access_token, expires_at: this.#now() + usableMs }
    if (usableMs > 0) {
      this.#remember(request.key, token)
      await shared?.set(request.key, token, usableMs).catch((err: unknown) => this.#sharedUnavailable(err))
    }
    return token
  }

  /**
   * Keys are per rendered token request, so templated per-user fields can make many: past
   * LOCAL_LIMIT, expired entries go first, then the oldest.
   */
  #remember (key: string, token: Token): void {
    this.#local.delete(key)
    this.#local.set(key, token)
    if (this.#local.size <= LOCAL_LIMIT) return
    const now = this.#now()
    for (const [k, t] of this.#local) if (t.expires_at <= now) this.#local.delete(k)
    for (const k of this.#local.keys()) {
      if (this.#local.size <= LOCAL_LIMIT) break
      this.#local.delete(k)
    }
  }

  #sharedUnavailable (err: unknown): void {
    this.#events.redisError?.('cache')
    if (this.#sharedDown) return
    this.#sharedDown = true
    this.#logger?.warn({ err }, 'token cache (redis) unavailable: serving from this process and fetching tokens directly')
  }

  #sharedBack (): void {
    if (!this.#sharedDown) return
    this.#sharedDown = false
    this.#logger?.info('token cache (redis) available again')
  }
}
