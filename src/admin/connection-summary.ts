/** The admin API's view of a connection: who, what and where from, never credentials or config values. */
import type { ResolvedConnection } from '../config/model.js'

/**
 * `configured`: read from the YAML, so usable as written (its credentials are resolved per
 * request). Store-backed connections (connect flow) will report their own state here.
 */
export type ConnectionStatus = 'configured'

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

// Fields are copied one by one: `credentials`, `config` and `access` never leave this function.
export function connectionSummary (c: ResolvedConnection): ConnectionSummary {
  return {
    id: c.id,
    connector: c.connector,
    auth: c.auth,
    owner: c.owner ?? null,
    source: c.source,
    status: 'configured',
    created_at: c.created_at ?? null,
  }
}
