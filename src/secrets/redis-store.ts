import type { Cluster, Redis } from 'ioredis'
import { ioredisLib } from '../lazy-libs.js'
import { closeRedisClient, createRedisClient, createRedisSubscriber, type RedisClient, type RedisEndpoint, type RedisErrorCounter } from '../redis/connect.js'
import { storeKeys } from '../redis/keys.js'
import { StoreError } from './errors.js'
import { sleep } from './fs-utils.js'
import { assertSealedWith, createSealer, parseSealedRecord, recordIdentity, type SealedRecord, type Sealer } from './seal.js'
import { NOT_AT_HAND, type MasterKey, type RecordKind, type SealedStore, type StoreWatch } from './types.js'

export const DEFAULT_KEY_PREFIX = 'latchkey:'

export interface RedisStoreOptions {
  /** An existing client (left open by close()), or a URL or cluster to connect to. */
  client?: Redis
  url?: string | undefined
  cluster_nodes?: readonly string[] | undefined
  /** default `latchkey:`; records live in the hash `<prefix>store` */
  keyPrefix?: string
  /** WATCH/MULTI attempts before failing with 'conflict'. Default 20. */
  maxAttempts?: number
  /** Counts this store's Redis connection errors (the gateway's metrics; the CLI gives none). */
  redisError?: RedisErrorCounter | undefined
}

/** What one optimistic transaction decided: fields to write (or none) and the result. */
interface Plan<T> {
  write?: { replaceAll: boolean, fields: Map<string, SealedRecord> }
  result: T
  commit?: () => void
}

/**
 * Records in one Redis hash, field `<kind>:<id>`, value the sealed record as JSON.
 * Writes run as WATCH/MULTI/EXEC on a connection of their own: WATCH state is per connection,
 * and a client shared with other code could have its transaction interleaved with theirs.
 */
export class RedisStore implements SealedStore {
  readonly hashKey: string
  /** Pub/sub channel announcing every write: `<kind>:<id>` per line, or `*`. */
  readonly channel: string
  private sealer: Sealer
  private txClient: RedisClient | undefined
  /**
   * Opened secrets, kept while this store's own subscription to the write channel is up: every
   * write publishes on it (delete, the optimistic writes, rotate-key), so a cached value is
   * dropped as soon as another process changes it. Without it each proxied request read its
   * secrets with an HGET and an unseal: a Redis round trip per request. Connection records are
   * not kept here (the connection registry keeps its own, and there may be 100,000 of them).
   */
  private readonly secrets = new Map<string, string>()
  /** Bumped by every announcement: a read that began before one is not cached (it may be stale). */
  private secretsGeneration = 0
  private secretsWatch: StoreWatch | undefined
  private queue: Promise<unknown> = Promise.resolve()

  private constructor (
    private readonly client: RedisClient,
    private readonly ownsClient: boolean,
    keyPrefix: string,
    sealer: Sealer,
    private readonly maxAttempts: number,
    private readonly newSubscriber: () => Redis,
    private readonly redisError: RedisErrorCounter | undefined,
  ) {
    const keys = storeKeys(keyPrefix)
    this.hashKey = keys.hash
    this.channel = keys.channel
    this.sealer = sealer
  }

  static async open (options: RedisStoreOptions, key: MasterKey): Promise<RedisStore> {
    const owns = options.client === undefined
    const endpoint: RedisEndpoint = { url: options.url, cluster_nodes: options.cluster_nodes }
    const counted = options.redisError
    const client = options.client ?? (options.url === undefined && options.cluster_nodes === undefined ? undefined : connectionTo(endpoint, counted))
    if (client === undefined) throw new StoreError('invalid_config', 'the redis store needs store.url')
    const newSubscriber = options.client === undefined
      ? () => quietOnError(createRedisSubscriber(endpoint, STORE_CONNECTION), counted, 'store_subscriber')
      : () => quietOnError(options.client!.duplicate(), counted, 'store_subscriber')
    try {
      if (owns) await client.connect()
      const store = new RedisStore(client, owns, options.keyPrefix ?? DEFAULT_KEY_PREFIX, await createSealer(key), options.maxAttempts ?? 20, newSubscriber, counted)
      // Every record carries the same key id (rotate-key re-seals all of them in one MULTI), so a
      // sample tells a wrong key as surely as all would, without reading 100,000 records.
      const sample = await client.hrandfield(store.hashKey, 16, 'WITHVALUES') as string[]
      const records = []
      for (let i = 0; i + 1 < sample.length; i += 2) records.push(parseSealedRecord(sample[i + 1]!, sample[i]!))
      assertSealedWith(records, key.id, `redis store ${store.hashKey}`)
      return store
    } catch (err) {
      // Without this an owned client would keep reconnecting in the background.
      if (owns) client.disconnect()
      throw toStoreError(err)
    }
  }

  /** A secret cached while the change subscription is up; anything else needs Redis. */
  getAtHand (kind: RecordKind, id: string): string | undefined | typeof NOT_AT_HAND {
    if (kind !== 'secret' || !this.secretsCacheUp()) return NOT_AT_HAND
    return this.secrets.get(recordIdentity(kind, id)) ?? NOT_AT_HAND
  }

  async get (kind: RecordKind, id: string): Promise<string | undefined> {
    const atHand = this.getAtHand(kind, id)
    if (atHand !== NOT_AT_HAND) return atHand
    const identity = recordIdentity(kind, id)
    const cached = kind === 'secret' && this.secretsCacheUp()
    const generation = this.secretsGeneration
    const raw = await this.command(() => this.client.hget(this.hashKey, identity))
    if (raw === null) return undefined
    const value = this.sealer.open(identity, parseSealedRecord(raw, identity))
    if (cached && generation === this.secretsGeneration && this.secretsCacheUp()) this.secrets.set(identity, value)
    return value
  }

  /** Subscribes on first use; while the subscription is down nothing is cached or served from it. */
  private secretsCacheUp (): boolean {
    this.secretsWatch ??= this.watch((identity) => {
      this.secretsGeneration++
      if (identity === '*') this.secrets.clear()
      else this.secrets.delete(identity)
    })
    if (this.secretsWatch.healthy()) return true
    // Announcements may be lost while it is down (the watch announces '*' once it is back).
    if (this.secrets.size > 0) this.secrets.clear()
    this.secretsGeneration++
    return false
  }

  async has (kind: RecordKind, id: string): Promise<boolean> {
    return (await this.command(() => this.client.hexists(this.hashKey, recordIdentity(kind, id)))) === 1
  }

  async list (kind: RecordKind): Promise<string[]> {
    const prefix = `${kind}:`
    const fields = await this.command(() => this.client.hkeys(this.hashKey))
    return fields.filter(f => f.startsWith(prefix)).map(f => f.slice(prefix.length)).sort()
  }

  async put (kind: RecordKind, id: string, value: string): Promise<void> {
    const identity = recordIdentity(kind, id)
    await this.optimistic(async tx => {
      await this.assertStoreKey(tx)
      return { write: { replaceAll: false, fields: new Map([[identity, this.sealer.seal(identity, value)]]) }, result: undefined }
    })
  }

  async delete (kind: RecordKind, id: string): Promise<boolean> {
    const identity = recordIdentity(kind, id)
    const replies = await this.command(() => this.client.multi().hdel(this.hashKey, identity).publish(this.channel, identity).exec())
    const failed = replies?.find(([err]) => err !== null)
    if (replies === null || failed !== undefined) throw toStoreError(failed?.[0] ?? new Error('delete was aborted'))
    return (replies[0]![1] as number) > 0
  }

  watch (listener: (identity: string) => void): StoreWatch {
    const subscriber = this.newSubscriber()
    let ready = false
    let everReady = false
    subscriber.on('message', (_channel: string, message: string) => {
      for (const identity of message.split('\n')) listener(identity)
    })
    subscriber.on('ready', () => {
      // ioredis re-subscribes on reconnect; whatever was published meanwhile is lost.
      if (everReady) listener('*')
      everReady = true
      ready = true
    })
    subscriber.on('close', () => { ready = false })
    void subscriber.subscribe(this.channel).catch(() => {})
    return {
      healthy: () => ready,
      close: () => closeRedisClient(subscriber),
    }
  }

  async update (kind: RecordKind, id: string, update: (current: string | undefined) => string | undefined): Promise<string | undefined> {
    const identity = recordIdentity(kind, id)
    return this.optimistic(async tx => {
      const raw = await tx.hget(this.hashKey, identity)
      const current = raw === null ? undefined : this.sealer.open(identity, parseSealedRecord(raw, identity))
      const next = update(current)
      if (next === undefined) return { result: current }
      if (raw === null) await this.assertStoreKey(tx)
      return { write: { replaceAll: false, fields: new Map([[identity, this.sealer.seal(identity, next)]]) }, result: next }
    })
  }

  /** Reads everything under WATCH, re-seals in memory, replaces the hash in one MULTI. */
  async rotateKey (next: MasterKey): Promise<number> {
    const nextSealer = await createSealer(next)
    return this.optimistic(async tx => {
      const all = await tx.hgetall(this.hashKey)
      const fields = new Map<string, SealedRecord>()
      for (const [identity, raw] of Object.entries(all)) {
        fields.set(identity, nextSealer.seal(identity, this.sealer.open(identity, parseSealedRecord(raw, identity))))
      }
      return {
        write: fields.size > 0 ? { replaceAll: true, fields } : undefined,
        result: fields.size,
        commit: () => { this.sealer = nextSealer },
      }
    })
  }

  async ping (): Promise<void> {
    await this.command(() => this.client.ping())
  }

  async close (): Promise<void> {
    await this.secretsWatch?.close()
    await this.queue
    if (this.txClient !== undefined) await closeRedisClient(this.txClient)
    if (this.ownsClient) await closeRedisClient(this.client)
  }

  /**
   * All records share one key id. A process still on the old key after `secrets rotate-key`
   * elsewhere must not add a record that nobody with the new key can open.
   */
  private async assertStoreKey (tx: RedisClient): Promise<void> {
    const sample = await tx.hrandfield(this.hashKey, 1, 'WITHVALUES') as string[]
    const [identity, raw] = sample
    if (identity !== undefined && raw !== undefined) {
      assertSealedWith([parseSealedRecord(raw, identity)], this.sealer.keyId, `redis store ${this.hashKey}`)
    }
  }

  private async command<T> (run: () => Promise<T>): Promise<T> {
    try {
      return await run()
    } catch (err) {
      throw toStoreError(err)
    }
  }

  /** WATCH, plan, MULTI/EXEC; retried when another writer changed the hash in between. */
  private optimistic<T> (plan: (tx: RedisClient) => Promise<Plan<T>>): Promise<T> {
    const run = this.queue.then(async () => {
      this.txClient ??= quietOnError(duplicate(this.client), this.redisError, 'store')
      const tx = this.txClient
      for (let attempt = 1; attempt <= this.maxAttempts; attempt++) {
        let decided: Plan<T>
        try {
          await tx.watch(this.hashKey)
          decided = await plan(tx)
        } catch (err) {
          await tx.unwatch().catch(() => {})
          throw toStoreError(err)
        }
        if (decided.write === undefined) {
          await tx.unwatch().catch(() => {})
          decided.commit?.()
          return decided.result
        }
        const multi = tx.multi()
        if (decided.write.replaceAll) multi.del(this.hashKey)
        multi.hset(this.hashKey, Object.fromEntries([...decided.write.fields].map(([f, r]) => [f, JSON.stringify(r)])))
        // In the same transaction: no process can see the write before it can hear of it.
        multi.publish(this.channel, decided.write.replaceAll ? '*' : [...decided.write.fields.keys()].join('\n'))
        const replies = await this.command(() => multi.exec())
        if (replies !== null) {
          const failed = replies.find(([err]) => err !== null)
          if (failed !== undefined) throw toStoreError(failed[0])
          decided.commit?.()
          return decided.result
        }
        await sleep(Math.random() * Math.min(2 ** attempt, 50))
      }
      throw new StoreError('conflict', `redis store ${this.hashKey}: gave up after ${this.maxAttempts} attempts, concurrent writers kept changing it`)
    })
    this.queue = run.catch(() => {})
    return run
  }
}

/**
 * A request needing a secret while Redis is away fails after a couple of reconnect attempts
 * instead of waiting through ioredis' default twenty.
 */
function connectionTo (endpoint: RedisEndpoint, counted: RedisErrorCounter | undefined): RedisClient {
  return quietOnError(createRedisClient(endpoint, STORE_CONNECTION), counted, 'store')
}

/** The store's client and its subscribers alike. */
const STORE_CONNECTION = { offlineQueue: true, retriesPerRequest: 2, connectTimeoutMs: 5_000 }

/** A second connection like `client`: WATCH state is per connection (see the class comment). */
function duplicate (client: RedisClient): RedisClient {
  return client instanceof ioredisLib().Cluster ? client.duplicate() : (client as Redis).duplicate()
}

/**
 * Connection errors also reject the command that hit them (as StoreError 'io'); without a
 * listener ioredis would print each reconnect failure to the console as well. They are counted
 * (the gateway's latchkey_redis_errors_total) when a counter is given.
 */
function quietOnError<C extends RedisClient> (client: C, counted: RedisErrorCounter | undefined, role: 'store' | 'store_subscriber'): C {
  client.on('error', () => counted?.(role))
  return client
}


function toStoreError (err: unknown): StoreError {
  if (err instanceof StoreError) return err
  // ioredis messages are Redis replies or connection states; they never carry our arguments.
  const message = err instanceof Error ? err.message : String(err)
  return new StoreError('io', `redis store: ${message}`, { cause: err })
}
