/**
 * Stored connections in the sealed store: one record per connection, kind `connection`, its
 * plaintext the JSON of a StoredConnection. The only code that reads or writes those records.
 */
import { NOT_AT_HAND, type SealedStore } from '../secrets/types.js'
import { parseStored, serializeStored, type StoredConnection } from './record.js'

export class ConnectionRepository {
  constructor (private readonly store: SealedStore) {}

  /**
   * The record's exact plaintext, unparsed: a cheap identity for "has it changed" (the file
   * store hands back the same string while the record is unchanged).
   */
  async text (id: string): Promise<string | undefined> {
    return this.store.get('connection', id)
  }

  /** The same text when the store holds it in memory, else NOT_AT_HAND: read it with text(). */
  textAtHand (id: string): string | undefined | typeof NOT_AT_HAND {
    return this.store.getAtHand === undefined ? NOT_AT_HAND : this.store.getAtHand('connection', id)
  }

  async get (id: string): Promise<StoredConnection | undefined> {
    const text = await this.text(id)
    return text === undefined ? undefined : parseStored(text)
  }

  async ids (): Promise<string[]> {
    return this.store.list('connection')
  }

  /** Every record, sorted by id. Opens each one: for listings, not for the request path. */
  async all (): Promise<StoredConnection[]> {
    const records: StoredConnection[] = []
    for (const id of await this.ids()) {
      const record = await this.get(id)
      if (record !== undefined) records.push(record)
    }
    return records
  }

  async put (record: StoredConnection): Promise<void> {
    await this.store.put('connection', record.id, serializeStored(record))
  }

  /**
   * Atomic read-modify-write (store.update): `change` sees the current record and returns the
   * next one, or undefined to leave it. Returns what is stored afterwards.
   */
  async update (id: string, change: (current: StoredConnection | undefined) => StoredConnection | undefined): Promise<StoredConnection | undefined> {
    const text = await this.store.update('connection', id, (current) => {
      const next = change(current === undefined ? undefined : parseStored(current))
      return next === undefined ? undefined : serializeStored(next)
    })
    return text === undefined ? undefined : parseStored(text)
  }

  async delete (id: string): Promise<boolean> {
    return this.store.delete('connection', id)
  }
}
