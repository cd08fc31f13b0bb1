import { constants } from 'node:fs'
import { access, mkdir } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { StoreError } from './errors.js'
import { acquireFileLock, type FileLockOptions, type ReleaseLock } from './file-lock.js'
import { errnoCode, removeStaleTemps } from './fs-utils.js'
import { assertSealedWith, createSealer, recordIdentity, type SealedRecord, type Sealer } from './seal.js'
import { fingerprint, readSnapshot, writeRecords, type Records, type Snapshot } from './store-file.js'
import { NOT_AT_HAND, type MasterKey, type RecordKind, type SealedStore, type StoreWatch } from './types.js'

export const STORE_FILE_NAME = 'store.json'
export const LOCK_FILE_NAME = 'store.lock'

export interface FileStoreOptions {
  /** Reads check the file for another process's writes at most this often. Default 500 ms. */
  reloadIntervalMs?: number
  lock?: FileLockOptions
}

interface Change<T> {
  changed: boolean
  result: T
  /** runs under the lock once the new file is in place */
  commit?: () => void
}

/**
 * All records in one JSON file, `{ v: 1, records: { "<kind>:<id>": SealedRecord } }`.
 * Reads come from memory; writes take a lock file, re-read, and replace the file atomically.
 */
export class FileStore implements SealedStore {
  readonly file: string
  private readonly lockPath: string
  private sealer: Sealer
  private snapshot: Snapshot
  private checkedAt = Date.now()
  private reloading: Promise<void> | undefined
  /** Bumped on every snapshot we write, so a slower concurrent reload cannot put back an older one. */
  private generation = 0
  /** In-process write queue, so this process does not spin on its own lock file. */
  private writes: Promise<unknown> = Promise.resolve()
  /**
   * Plaintext of records already opened, keyed by the record object. Every reload, write and
   * key rotation puts new record objects in the snapshot, so an entry can never outlive the
   * version it was opened from, and entries of replaced versions go with their records. Saves an
   * XChaCha20-Poly1305 open (libsodium, WebAssembly) per secret per request.
   */
  private readonly opened = new WeakMap<SealedRecord, string>()

  private constructor (dir: string, sealer: Sealer, snapshot: Snapshot, private readonly options: FileStoreOptions) {
    this.file = join(dir, STORE_FILE_NAME)
    this.lockPath = join(dir, LOCK_FILE_NAME)
    this.sealer = sealer
    this.snapshot = snapshot
  }

  static async open (dir: string, key: MasterKey, options: FileStoreOptions = {}): Promise<FileStore> {
    try {
      await mkdir(dir, { recursive: true, mode: 0o700 })
    } catch (err) {
      throw new StoreError('io', `cannot create store folder ${dir}: ${errnoCode(err) ?? 'error'}`, { cause: err })
    }
    const file = join(dir, STORE_FILE_NAME)
    const release = await lockUnlessReadOnly(join(dir, LOCK_FILE_NAME), options.lock)
    let snapshot: Snapshot
    try {
      // Temp files of a writer that crashed mid-write; safe to delete only under the lock.
      if (release !== undefined) await removeStaleTemps(file)
      snapshot = await readSnapshot(file)
    } finally {
      await release?.()
    }
    assertSealedWith(snapshot.records.values(), key.id, `store ${file}`)
    return new FileStore(dir, await createSealer(key), snapshot, options)
  }

  async has (kind: RecordKind, id: string): Promise<boolean> {
    return (await this.current()).has(recordIdentity(kind, id))
  }

  async get (kind: RecordKind, id: string): Promise<string | undefined> {
    const identity = recordIdentity(kind, id)
    return this.openIn(this.fresh() ? this.snapshot.records : await this.current(), identity)
  }

  /** Every proxied request reads its secrets here: in memory while the snapshot is fresh. */
  getAtHand (kind: RecordKind, id: string): string | undefined | typeof NOT_AT_HAND {
    return this.fresh() ? this.openIn(this.snapshot.records, recordIdentity(kind, id)) : NOT_AT_HAND
  }

  private openIn (records: Records, identity: string): string | undefined {
    const record = records.get(identity)
    if (record === undefined) return undefined
    let plaintext = this.opened.get(record)
    if (plaintext === undefined) {
      plaintext = this.sealer.open(identity, record)
      this.opened.set(record, plaintext)
    }
    return plaintext
  }

  async list (kind: RecordKind): Promise<string[]> {
    const prefix = `${kind}:`
    return [...(await this.current()).keys()]
      .filter(identity => identity.startsWith(prefix))
      .map(identity => identity.slice(prefix.length))
      .sort()
  }

  async put (kind: RecordKind, id: string, value: string): Promise<void> {
    const identity = recordIdentity(kind, id)
    await this.mutate(records => {
      records.set(identity, this.sealer.seal(identity, value))
      return { changed: true, result: undefined }
    })
  }

  async delete (kind: RecordKind, id: string): Promise<boolean> {
    const identity = recordIdentity(kind, id)
    return this.mutate(records => {
      const removed = records.delete(identity)
      return { changed: removed, result: removed }
    })
  }

  async update (kind: RecordKind, id: string, update: (current: string | undefined) => string | undefined): Promise<string | undefined> {
    const identity = recordIdentity(kind, id)
    return this.mutate(records => {
      const sealed = records.get(identity)
      const current = sealed === undefined ? undefined : this.sealer.open(identity, sealed)
      const next = update(current)
      if (next === undefined) return { changed: false, result: current }
      records.set(identity, this.sealer.seal(identity, next))
      return { changed: true, result: next }
    })
  }

  /** All records are opened and re-sealed in memory first, then written once: all or nothing. */
  async rotateKey (next: MasterKey): Promise<number> {
    const nextSealer = await createSealer(next)
    return this.mutate(records => {
      for (const [identity, record] of records) {
        records.set(identity, nextSealer.seal(identity, this.sealer.open(identity, record)))
      }
      return { changed: records.size > 0, result: records.size, commit: () => { this.sealer = nextSealer } }
    })
  }

  /** The folder can be read and the file, if any, can be stat'ed. Writability shows on write. */
  async ping (): Promise<void> {
    try {
      await access(dirname(this.file), constants.R_OK | constants.X_OK)
    } catch (err) {
      throw new StoreError('io', `store folder of ${this.file} is not usable: ${errnoCode(err) ?? 'error'}`, { cause: err })
    }
    await fingerprint(this.file)
  }

  async close (): Promise<void> {
    await this.writes
  }

  /**
   * Polls the file as reads do (every reloadIntervalMs, 500 ms by default) and announces every
   * record that another process (or this one) added, changed or removed since the last look.
   * A reader that relies on it sees another process's write within about two intervals, as a
   * reader that reads through does within one.
   */
  watch (listener: (identity: string) => void): StoreWatch {
    let last = this.snapshot.records
    const timer = setInterval(() => {
      this.current().then((records) => {
        if (records === last) return
        for (const identity of changedIdentities(last, records)) listener(identity)
        last = records
      }, () => {})
    }, this.options.reloadIntervalMs ?? 500)
    timer.unref()
    return { healthy: () => true, close: async () => clearInterval(timer) }
  }

  /** The file was looked at within the reload interval. */
  private fresh (): boolean {
    return Date.now() - this.checkedAt < (this.options.reloadIntervalMs ?? 500)
  }

  /** The in-memory records, reloaded first when the file changed and the last check is old. */
  private async current (): Promise<Records> {
    if (!this.fresh()) {
      this.reloading ??= this.reloadIfChanged().finally(() => { this.reloading = undefined })
      await this.reloading
    }
    return this.snapshot.records
  }

  private async reloadIfChanged (): Promise<void> {
    const generation = this.generation
    const seen = await fingerprint(this.file)
    this.checkedAt = Date.now()
    if (seen === this.snapshot.fingerprint) return
    const snapshot = await readSnapshot(this.file)
    if (generation === this.generation) this.snapshot = snapshot
  }

  /**
   * Read-modify-write under the lock file. The file is re-read under the lock because the CLI
   * (another process) may have written since our snapshot; writing our stale copy would drop
   * its records.
   */
  private mutate<T> (change: (records: Records) => Change<T>): Promise<T> {
    const run = this.writes.then(async () => {
      const release = await acquireFileLock(this.lockPath, this.options.lock)
      try {
        const fresh = await readSnapshot(this.file)
        // After `secrets rotate-key` in another process, this process still holds the old key;
        // writing now would leave a record no one with the new key can open.
        assertSealedWith(fresh.records.values(), this.sealer.keyId, `store ${this.file}`)
        const records = new Map(fresh.records)
        const { changed, result, commit } = change(records)
        let written = fresh.fingerprint
        if (changed) {
          await writeRecords(this.file, records)
          written = await fingerprint(this.file)
        }
        commit?.()
        this.generation++
        this.snapshot = { records, fingerprint: written }
        this.checkedAt = Date.now()
        return result
      } finally {
        await release()
      }
    })
    this.writes = run.catch(() => {})
    return run
  }
}

/**
 * The lock for open's clean-up, or undefined on a read-only folder: a gateway may mount the
 * store read-only and leave writing to the CLI elsewhere; it can still read.
 */
/** Identities whose sealed record differs between two snapshots (a reload parses new objects: compare the ciphertext). */
function changedIdentities (before: Records, after: Records): string[] {
  const changed: string[] = []
  for (const [identity, record] of after) if (before.get(identity)?.ct !== record.ct) changed.push(identity)
  for (const identity of before.keys()) if (!after.has(identity)) changed.push(identity)
  return changed
}

async function lockUnlessReadOnly (path: string, options: FileLockOptions | undefined): Promise<ReleaseLock | undefined> {
  try {
    return await acquireFileLock(path, options)
  } catch (err) {
    const code = errnoCode((err as Error).cause)
    if (code === 'EROFS' || code === 'EACCES' || code === 'EPERM') return undefined
    throw err
  }
}
