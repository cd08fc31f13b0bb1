/**
 * What the connection modules see of lifecycle events (SPEC 8.2): one call per change, with
 * the connection's id, connector, owner and status, never its credentials. They depend on
 * this interface only; with no `server.events` configured it is a no-op.
 */
import type { LifecycleEventType } from './event.js'

export interface ConnectionEventData {
  connection: string
  connector: string
  owner: string | null
  status: string
}

export interface EventSink {
  /** Queues the event; never throws (a queue that is away is logged, not the caller's failure). */
  connection (type: LifecycleEventType, data: ConnectionEventData): Promise<void>
}

export const NO_EVENTS: EventSink = { connection: async () => {} }

/** The event fields of a stored record: exactly these four, so nothing else can leak into one. */
export function connectionEventData (record: { id: string, connector: string, owner: string | null, status: string }): ConnectionEventData {
  return { connection: record.id, connector: record.connector, owner: record.owner, status: record.status }
}
