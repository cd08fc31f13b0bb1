/**
 * One stored connection (SPEC 8.1): the plaintext inside its sealed store record. Created by
 * `PUT /admin/connections/:id` or the connect flow; every value in it is data, never a template.
 */
import type { ResolvedConnection, ResolvedConnector } from '../config/model.js'
import { resolveConnection } from '../config/resolve.js'
import type { AccessConfig } from '../config/schema.js'

export type StoredStatus = 'connected' | 'refresh_failed' | 'pending'

export interface StoredConnection {
  readonly v: 1
  readonly id: string
  readonly connector: string
  /** The auth method name; always explicit once stored. */
  readonly auth: string
  readonly owner: string | null
  readonly config: Readonly<Record<string, string | number | boolean>>
  readonly credentials: Readonly<Record<string, string>>
  readonly access: AccessConfig
  readonly rate_limit?: { max: number, window: string | number, per?: 'caller' | 'user' | 'connection' } | undefined
  readonly status: StoredStatus
  /** ISO 8601 */
  readonly created_at: string
  readonly updated_at: string
}

export function serializeStored (record: StoredConnection): string {
  return JSON.stringify(record)
}

/** The record as written by serializeStored; a record that is not one is corrupt. */
export function parseStored (text: string): StoredConnection {
  const value = JSON.parse(text) as StoredConnection
  if (value === null || typeof value !== 'object' || value.v !== 1 || typeof value.id !== 'string' || typeof value.connector !== 'string') {
    throw new Error('stored connection record has an unknown shape')
  }
  return value
}

/** What the data plane compiles: the same shape a YAML connection resolves to, marked `store`. */
export function resolveStored (record: StoredConnection, connector: ResolvedConnector | undefined): ResolvedConnection {
  return resolveConnection(record.id, {
    connector: record.connector,
    auth: record.auth,
    config: record.config,
    credentials: record.credentials,
    owner: record.owner,
    access: record.access,
    rate_limit: record.rate_limit,
  }, connector, 'store', { created_at: record.created_at, updated_at: record.updated_at, status: record.status })
}
