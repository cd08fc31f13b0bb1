/** What the sealed store holds. The kind is part of every record's identity (associated data). */
export type RecordKind = 'secret' | 'connection'

export interface StoreConfig {
  type: 'file' | 'redis'
  /** file store: folder holding the records and, on a first run, the generated dev master key */
  path?: string
  /** redis store: connection URL */
  url?: string
  /** redis store on a Redis Cluster instead of `url`: some of its nodes, `redis://host:port` */
  cluster_nodes?: readonly string[]
  /** redis store: key prefix, default `latchkey:` */
  key_prefix?: string
}

export interface StoreWatch {
  /** False while the subscription is down: notifications may be missed, so do not rely on them. */
  healthy (): boolean
  close (): Promise<void>
}

/** A 32-byte XChaCha20-Poly1305 key and the id stamped on every record it seals. */
export interface MasterKey {
  readonly id: string
  readonly bytes: Uint8Array
}

/** What getAtHand() answers when the value cannot be had without waiting. */
export const NOT_AT_HAND: unique symbol = Symbol('not at hand')

export interface SealedStore {
  /** Opens and returns the plaintext, or undefined when no such record exists. */
  get (kind: RecordKind, id: string): Promise<string | undefined>
  /**
   * What get() would answer, when the store knows it without I/O (in memory and current), else
   * NOT_AT_HAND. The data plane asks this first, so a request whose secrets are in memory
   * waits for no promise (each await was ~0.2 us of the api_key path).
   */
  getAtHand? (kind: RecordKind, id: string): string | undefined | typeof NOT_AT_HAND
  /** Whether a record exists, without opening it. */
  has (kind: RecordKind, id: string): Promise<boolean>
  put (kind: RecordKind, id: string, value: string): Promise<void>
  /** true when a record was removed */
  delete (kind: RecordKind, id: string): Promise<boolean>
  /** Record ids of one kind, sorted. Never opens a value. */
  list (kind: RecordKind): Promise<string[]>
  /**
   * Atomic read-modify-write of one record: `update` receives the current plaintext (or
   * undefined) and returns the new one (or undefined to leave it untouched). Used where a
   * concurrent writer must not be lost, e.g. replacing an OAuth refresh token.
   */
  update (kind: RecordKind, id: string, update: (current: string | undefined) => string | undefined): Promise<string | undefined>
  /** Re-seals every record under `next`, all or nothing. Returns the number of records. */
  rotateKey (next: MasterKey): Promise<number>
  /**
   * Change notifications from every process sharing the store, where the store can give them
   * (Redis pub/sub). `listener(identity)` gets `<kind>:<id>` of a changed record, or `*` when
   * changes may have been missed (a reconnect). Stores that cannot notify return undefined:
   * read through them instead (the file store's reads are in memory and re-check the file).
   */
  watch? (listener: (identity: string) => void): StoreWatch
  /** Cheap check for /readyz: the backing file or Redis answers. */
  ping (): Promise<void>
  close (): Promise<void>
}
