/**
 * Which compiled connection serves `/proxy/<id>`: a YAML one (compiled at load), else a stored
 * one, compiled on first use and kept in a bounded cache (SPEC 8.1). 100,000 stored
 * connections cost nothing at start-up, and a request's lookup is one Map read. When the store
 * has the record in memory (the file store while its snapshot is fresh, the Redis store while its
 * cache is subscribed), the lookup answers synchronously: no promise on the request path.
 *
 * Freshness: a change made through any process is seen on the next request.
 * - With store notifications (Redis pub/sub, published in the same transaction as the write),
 *   a cached entry is used until a notification drops it; while the subscription is down,
 *   every lookup reads through instead, and a reconnect drops everything.
 * - Without (the file store, whose reads are in memory and re-check the file), every lookup
 *   reads the record's plaintext and reuses the compiled copy only while it is the same text.
 * A stale compiled copy is never served after a change, and a deleted one never again.
 */
import type { CompiledConnection } from '../runtime/connection.js'
import { LruMap } from '../lru-map.js'
import { NOT_AT_HAND, type StoreWatch } from '../secrets/types.js'
import { parseStored, type StoredConnection } from './record.js'
import type { ConnectionRepository } from './repository.js'

/** Compiles a stored record against the running configuration (connectors, templates, auth). */
export interface StoredCompiler {
  compileStored (record: StoredConnection): CompiledConnection
}

interface Entry {
  /** The record's plaintext, or null: the id is known not to exist. */
  readonly text: string | null
  readonly compiled: CompiledConnection | undefined
  /** The compiler (one per loaded config) it was compiled by: a reload compiles anew. */
  readonly compiler: StoredCompiler
}

export interface ConnectionRegistryOptions {
  repository: ConnectionRepository
  /** Subscribes to store changes; absent when the store cannot notify. */
  watch?: ((listener: (identity: string) => void) => StoreWatch) | undefined
  /** Most compiled connections kept; the least recently used go first. Default 10,000. */
  maxEntries?: number
}

export class ConnectionRegistry {
  readonly #repository: ConnectionRepository
  readonly #watch: StoreWatch | undefined
  readonly #entries: LruMap<string, Entry>
  /** Bumped by every notification: a read that overlapped one may be older than it. */
  #generation = 0

  constructor (options: ConnectionRegistryOptions) {
    this.#repository = options.repository
    this.#entries = new LruMap(options.maxEntries ?? 10_000)
    this.#watch = options.watch?.((identity) => {
      this.#generation++
      if (identity === '*') this.#entries.clear()
      else if (identity.startsWith(CONNECTION)) this.#entries.delete(identity.slice(CONNECTION.length))
    })
  }

  /**
   * The stored connection `id` compiled for `compiler`, or undefined when there is none: at once
   * when the cache may answer or the store has the record in memory, else once it is read.
   */
  lookup (id: string, compiler: StoredCompiler): CompiledConnection | undefined | Promise<CompiledConnection | undefined> {
    const cached = this.#entries.get(id)
    if (cached !== undefined && cached.compiler === compiler && this.#watch?.healthy() === true) return cached.compiled
    const generation = this.#generation
    const atHand = this.#repository.textAtHand(id)
    if (atHand !== NOT_AT_HAND) return this.#settle(id, compiler, cached, atHand ?? null, generation)
    return this.#repository.text(id).then((text) => this.#settle(id, compiler, cached, text ?? null, generation))
  }

  /** Drops what this process holds for `id`: called after it changed the record itself. */
  forget (id: string): void {
    this.#entries.delete(id)
  }

  async close (): Promise<void> {
    await this.#watch?.close()
  }

  /** The record's current text is known: the cached compiled copy while it is the same text. */
  #settle (id: string, compiler: StoredCompiler, cached: Entry | undefined, text: string | null, generation: number): CompiledConnection | undefined {
    if (cached !== undefined && cached.compiler === compiler && cached.text === text) return cached.compiled
    const compiled = text === null ? undefined : compiler.compileStored(parseStored(text))
    // A change announced while this read was on its way may be newer than what it returned:
    // serve it once, cache nothing.
    if (generation === this.#generation) this.#entries.set(id, { text, compiled, compiler })
    return compiled
  }
}

const CONNECTION = 'connection:'
