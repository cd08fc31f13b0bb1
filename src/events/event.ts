/**
 * The events latchkey sends (SPEC 8.2, 13): `{"type","id","timestamp","data"}`, `id` equal to
 * the `webhook-id` it is delivered with. The body is serialised once, when the event is made,
 * and delivered as those exact bytes on every attempt.
 */
import { randomBytes } from 'node:crypto'

export type LifecycleEventType =
  | 'connection.created'
  | 'connection.updated'
  | 'connection.deleted'
  | 'connection.refresh_failed'
  | 'connection.recovered'

export type EventType = LifecycleEventType | 'webhook.received'

/** Ids are `evt_` and 32 hex digits: safe in a header, a Redis key and an admin URL. */
export const EVENT_ID = /^evt_[0-9a-f]{32}$/

/** Where an event goes: the operator's URL (trusted), or a templated `forward_to` (guarded, SPEC 6.4). */
export interface Destination {
  readonly url: string
  readonly guarded: boolean
}

/** One event as queued: everything a delivery needs except the signing secret. */
export interface QueuedEvent {
  readonly id: string
  readonly type: EventType
  /** Epoch ms the event was made. */
  readonly created_at: number
  readonly destination: Destination
  /** The JSON body, exactly as delivered. */
  readonly body: string
  /** The connection it is about (listings, logs). */
  readonly connection: string
}

export function newEventId (): string {
  return `evt_${randomBytes(16).toString('hex')}`
}

export function makeEvent (type: EventType, data: Record<string, unknown>, destination: Destination, nowMs: number): QueuedEvent {
  const id = newEventId()
  const body = JSON.stringify({ type, id, timestamp: new Date(nowMs).toISOString(), data })
  return { id, type, created_at: nowMs, destination, body, connection: typeof data.connection === 'string' ? data.connection : '' }
}
