/** The admin API's view of a connection: who, what and where from, never credentials or config values. */
import type { ResolvedConnection } from '../config/model.js'
import type { StoredConnection, StoredStatus } from '../connections/record.js'

/**
 * `configured`: read from the YAML, so usable as written (its credentials are resolved per
 * request). Stored connections report their own state (SPEC 8.1).
 */
export type ConnectionStatus = 'configured' | StoredStatus

export interface ConnectionSummary {
  id: string
  connector: string
  auth: string
  owner: string | null
  source: 'config' | 'store'
  status: ConnectionStatus
  /** ISO 8601; null for a YAML connection, which has no creation time. */
  created_at: string | null
}

/** One stored connection on its own (GET/PUT /admin/connections/:id): its last change too. */
export interface StoredConnectionDetail extends ConnectionSummary {
  updated_at: string
}

// Fields are copied one by one: `credentials`, `config` and `access` never leave this function.
export function connectionSummary (c: ResolvedConnection): ConnectionSummary {
  return {
    id: c.id,
    connector: c.connector,
    auth: c.auth,
    owner: c.owner ?? null,
    source: c.source,
    status: 'configured',
    created_at: null,
  }
}

/** The same view of a stored record: config, credentials and access never leave this function either. */
export function storedSummary (c: StoredConnection): ConnectionSummary {
  return {
    id: c.id,
    connector: c.connector,
    auth: c.auth,
    owner: c.owner,
    source: 'store',
    status: c.status,
    created_at: c.created_at,
  }
}

export function storedDetail (c: StoredConnection): StoredConnectionDetail {
  return { ...storedSummary(c), updated_at: c.updated_at }
}
