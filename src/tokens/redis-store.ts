/**
 * The shared token tier in Redis. Tokens are sealed (XChaCha20-Poly1305, the record's key as
 * associated data) and expire with PX; locks are `SET NX PX` with a random owner token and are
 * released by a compare-and-delete script, so only the owner can release. One pub/sub channel
 * carries announcements (a key was stored, purged or failed) to wake waiters in every process.
 */
import { randomBytes } from 'node:crypto'
import type { Redis } from 'ioredis'
import { closeRedisClient, type RedisClient } from '../redis/connect.js'
import { tokenKeys } from '../redis/keys.js'
import type { Sealer } from '../secrets/seal.js'
import type { SharedTokenStore, Token, TokenLock } from './types.js'

const RELEASE = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`

export interface RedisTokenStoreOptions {
  client: RedisClient
  /** A second connection for SUBSCRIBE (a subscribed connection can run nothing else). */
  subscriber: Redis
  prefix: string
  sealer: Sealer
}

type Message = `ready:${string}` | `purge:${string}`

export class RedisTokenStore implements SharedTokenStore {
  readonly #client: RedisClient
  readonly #subscriber: Redis
  readonly #keys: ReturnType<typeof tokenKeys>
  readonly #channel: string
  readonly #sealer: Sealer
  readonly #waiters = new Map<string, Set<() => void>>()
  readonly #purgeListeners: Array<(key: string) => void> = []
  readonly #origin = randomBytes(8).toString('hex')

  private constructor (options: RedisTokenStoreOptions) {
    this.#client = options.client
    this.#subscriber = options.subscriber
    this.#keys = tokenKeys(options.prefix)
    this.#channel = this.#keys.channel
    this.#sealer = options.sealer
    this.#subscriber.on('message', (channel: string, message: string) => {
      if (channel === this.#channel) this.#onMessage(message)
    })
  }

  static async open (options: RedisTokenStoreOptions): Promise<RedisTokenStore> {
    const store = new RedisTokenStore(options)
    // A gateway whose Redis is down at start still serves: the subscription follows on reconnect.
    await options.subscriber.subscribe(store.#channel).catch(() => {})
    return store
  }

  // The three keys of one token share its hash tag (src/redis/keys.ts): on a cluster the lock,
  // the re-check after it and the back-off mark are answered by the same node.
  #key (key: string): string { return this.#keys.token(key) }
  #lockKey (key: string): string { return this.#keys.lock(key) }
  #failKey (key: string): string { return this.#keys.failure(key) }

  async get (key: string): Promise<Token | undefined> {
    const raw = await this.#client.get(this.#key(key))
    if (raw === null) return undefined
    try {
      return JSON.parse(this.#sealer.open(`token:${key}`, JSON.parse(raw))) as Token
    } catch {
      // Sealed with another key or damaged: treat as absent, the next fetch overwrites it.
      return undefined
    }
  }

  async set (key: string, token: Token, ttlMs: number): Promise<void> {
    const sealed = JSON.stringify(this.#sealer.seal(`token:${key}`, JSON.stringify(token)))
    await this.#client.set(this.#key(key), sealed, 'PX', Math.max(1, Math.floor(ttlMs)))
  }

  async delete (key: string): Promise<void> {
    await this.#client.del(this.#key(key))
    await this.#publish(`purge:${key}`)
  }

  async setFailure (key: string, untilMs: number, ttlMs: number): Promise<void> {
    // The TTL comes from the caller: `untilMs` is on the token service's (injectable) clock,
    // which need not be Date.now.
    await this.#client.set(this.#failKey(key), String(untilMs), 'PX', Math.max(1, Math.ceil(ttlMs)))
  }

  async failureUntil (key: string): Promise<number | undefined> {
    const raw = await this.#client.get(this.#failKey(key))
    return raw === null ? undefined : Number(raw)
  }

  async lock (key: string, ttlMs: number): Promise<TokenLock | undefined> {
    const owner = randomBytes(16).toString('hex')
    const lockKey = this.#lockKey(key)
    const ok = await this.#client.set(lockKey, owner, 'PX', ttlMs, 'NX')
    if (ok !== 'OK') return undefined
    return {
      release: async () => { await this.#client.eval(RELEASE, 1, lockKey, owner) },
    }
  }

  waitForAnnouncement (key: string, timeoutMs: number): Promise<void> {
    return new Promise((resolve) => {
      let set = this.#waiters.get(key)
      if (set === undefined) this.#waiters.set(key, set = new Set())
      const waiters = set
      const done = () => {
        clearTimeout(timer)
        waiters.delete(done)
        if (waiters.size === 0 && this.#waiters.get(key) === waiters) this.#waiters.delete(key)
        resolve()
      }
      const timer = setTimeout(done, timeoutMs)
      timer.unref()
      waiters.add(done)
    })
  }

  async announce (key: string): Promise<void> {
    this.#wake(key)
    await this.#publish(`ready:${key}`)
  }

  onPurge (listener: (key: string) => void): void {
    this.#purgeListeners.push(listener)
  }

  async close (): Promise<void> {
    for (const waiters of this.#waiters.values()) for (const wake of [...waiters]) wake()
    await closeRedisClient(this.#subscriber)
  }

  async #publish (message: Message): Promise<void> {
    await this.#client.publish(this.#channel, `${this.#origin}|${message}`)
  }

  #onMessage (raw: string): void {
    const bar = raw.indexOf('|')
    const origin = raw.slice(0, bar)
    const message = raw.slice(bar + 1)
    const colon = message.indexOf(':')
    const kind = message.slice(0, colon)
    const key = message.slice(colon + 1)
    if (kind === 'purge' && origin !== this.#origin) for (const listener of this.#purgeListeners) listener(key)
    this.#wake(key)
  }

  #wake (key: string): void {
    const waiters = this.#waiters.get(key)
    if (waiters !== undefined) for (const wake of [...waiters]) wake()
  }
}
