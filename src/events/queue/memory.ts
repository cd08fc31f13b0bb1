/**
 * The in-process queue for `cache.type: memory`: the same contract as Redis for one process.
 * Lossy: what is queued when the process stops is gone (documented in the README).
 */
import { randomBytes } from 'node:crypto'
import type { QueuedEvent } from '../event.js'
import { MAX_DEAD_LETTERS, type ClaimedEvent, type DeadLetter, type Dedupe, type DeliveryState, type EventQueue, type QueueStats } from './types.js'

interface Entry {
  event: QueuedEvent
  state: DeliveryState
  due: number
  lease: string | undefined
}

export class MemoryEventQueue implements EventQueue {
  readonly durable = false
  readonly #entries = new Map<string, Entry>()
  readonly #dead = new Map<string, DeadLetter>()
  /** dedupe key -> expiry (epoch ms) */
  readonly #seen = new Map<string, number>()
  #sweepAt = 1024

  async enqueue (event: QueuedEvent, nowMs: number, dedupe?: Dedupe): Promise<'queued' | 'duplicate'> {
    if (dedupe !== undefined) {
      this.#sweepSeen(nowMs)
      const until = this.#seen.get(dedupe.key)
      if (until !== undefined && until > nowMs) return 'duplicate'
      this.#seen.set(dedupe.key, nowMs + dedupe.ttlMs)
    }
    this.#entries.set(event.id, { event, state: { attempts: 0, since: nowMs }, due: nowMs, lease: undefined })
    return 'queued'
  }

  async claim (nowMs: number, leaseMs: number, max: number): Promise<ClaimedEvent[]> {
    const due = [...this.#entries.values()].filter((e) => e.due <= nowMs).sort((a, b) => a.due - b.due).slice(0, max)
    return due.map((entry) => {
      entry.lease = randomBytes(8).toString('hex')
      entry.due = nowMs + leaseMs
      return { event: entry.event, state: { ...entry.state }, lease: entry.lease }
    })
  }

  async ack (claimed: ClaimedEvent): Promise<void> {
    if (this.#holds(claimed)) this.#entries.delete(claimed.event.id)
  }

  async reschedule (claimed: ClaimedEvent, dueMs: number, state: DeliveryState): Promise<void> {
    const entry = this.#holds(claimed)
    if (entry === undefined) return
    Object.assign(entry, { due: dueMs, state, lease: undefined })
  }

  async bury (claimed: ClaimedEvent, state: DeliveryState, nowMs: number): Promise<void> {
    if (this.#holds(claimed) === undefined) return
    this.#entries.delete(claimed.event.id)
    this.#dead.set(claimed.event.id, { event: claimed.event, state, dead_at: nowMs })
    if (this.#dead.size > MAX_DEAD_LETTERS) this.#dead.delete(this.#dead.keys().next().value as string)
  }

  async dead (limit: number): Promise<DeadLetter[]> {
    return [...this.#dead.values()].reverse().slice(0, limit)
  }

  async requeueDead (id: string, nowMs: number): Promise<boolean> {
    const letter = this.#dead.get(id)
    if (letter === undefined) return false
    this.#dead.delete(id)
    this.#entries.set(id, { event: letter.event, state: { attempts: 0, since: nowMs }, due: nowMs, lease: undefined })
    return true
  }

  async stats (nowMs: number): Promise<QueueStats> {
    let oldest = Infinity
    for (const entry of this.#entries.values()) oldest = Math.min(oldest, entry.event.created_at)
    return { depth: this.#entries.size, oldestAgeSeconds: oldest === Infinity ? 0 : Math.max(0, (nowMs - oldest) / 1000) }
  }

  async close (): Promise<void> {}

  #holds (claimed: ClaimedEvent): Entry | undefined {
    const entry = this.#entries.get(claimed.event.id)
    return entry !== undefined && entry.lease === claimed.lease ? entry : undefined
  }

  /** Expired keys go each time the map has doubled: O(1) amortised per insert. */
  #sweepSeen (nowMs: number): void {
    if (this.#seen.size < this.#sweepAt) return
    for (const [key, until] of this.#seen) if (until <= nowMs) this.#seen.delete(key)
    this.#sweepAt = Math.max(1024, this.#seen.size * 2)
  }
}
