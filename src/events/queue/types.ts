/**
 * The delivery queue (SPEC 8.2): at-least-once, shared by every process on one Redis, with a
 * lease per claim so two processes never deliver one event at the same time and a crashed
 * process's claim runs out and is taken again. `memory` is the same contract in one process
 * (lost on restart).
 */
import type { QueuedEvent } from '../event.js'

/** What the deliverer knows about an event's attempts so far. */
export interface DeliveryState {
  attempts: number
  /** Epoch ms the current retry window began (made, or re-queued from the dead letters). */
  since: number
  /** Why the last attempt failed: an HTTP status or a transport error name, never a body. */
  last_error?: string
}

export interface ClaimedEvent {
  readonly event: QueuedEvent
  readonly state: DeliveryState
  /** The claim's token: ack, reschedule and bury only act while it is still the holder. */
  readonly lease: string
}

export interface DeadLetter {
  readonly event: QueuedEvent
  readonly state: DeliveryState
  readonly dead_at: number
}

export interface QueueStats {
  /** Events waiting or being delivered (dead letters not included). */
  depth: number
  /** Age of the oldest of those, 0 when there is none. */
  oldestAgeSeconds: number
}

export interface Dedupe {
  /** Same key within `ttlMs`: acknowledged, not queued again. */
  key: string
  ttlMs: number
}

export interface EventQueue {
  /** Survives a restart and is shared between processes. */
  readonly durable: boolean
  /** Queues the event due now, unless `dedupe` says it was seen; both in one atomic step. */
  enqueue (event: QueuedEvent, nowMs: number, dedupe?: Dedupe): Promise<'queued' | 'duplicate'>
  /** Up to `max` due events, each leased until `nowMs + leaseMs`. */
  claim (nowMs: number, leaseMs: number, max: number): Promise<ClaimedEvent[]>
  /** Delivered: gone from the queue. */
  ack (claimed: ClaimedEvent): Promise<void>
  /** Failed: due again at `dueMs`. */
  reschedule (claimed: ClaimedEvent, dueMs: number, state: DeliveryState): Promise<void>
  /** Failed for good: moved to the dead letters. */
  bury (claimed: ClaimedEvent, state: DeliveryState, nowMs: number): Promise<void>
  /** Dead letters, newest first. */
  dead (limit: number): Promise<DeadLetter[]>
  /** Back in the queue, due now, with a fresh retry window; false when no such dead letter. */
  requeueDead (id: string, nowMs: number): Promise<boolean>
  stats (nowMs: number): Promise<QueueStats>
  close (): Promise<void>
}

/** Dead letters kept at most; the oldest go first. */
export const MAX_DEAD_LETTERS = 10_000
