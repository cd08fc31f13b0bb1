/**
 * Takes due events from the queue and POSTs them, signed as Standard Webhooks, each attempt
 * with a fresh `webhook-timestamp` and the same `webhook-id` and body. A 2xx is delivered;
 * anything else (another status, a network error, a timeout) is retried on the schedule, and
 * after the retry window the event is buried as a dead letter. Every process runs one; the
 * queue's leases keep them from delivering the same event at once.
 */
import type { Dispatcher } from 'undici'
import type { Logger } from '../observability/logger.js'
import type { QueuedEvent } from './event.js'
import type { ClaimedEvent, DeliveryState, EventQueue } from './queue/types.js'
import { DEFAULT_SCHEDULE, exhausted, retryDelayMs, type RetrySchedule } from './schedule.js'
import { signStandard } from './signing.js'

export type DeliveryResult = 'delivered' | 'failed' | 'dead'

export interface DelivererOptions {
  queue: EventQueue
  /** The `server.events.secret` key, rendered per attempt (a rotated secret is used at once). */
  signingKey: () => Promise<Buffer>
  dispatchers: { trusted: Dispatcher, guarded: Dispatcher }
  now: () => number
  logger: Logger
  delivered?: (result: DeliveryResult) => void
  schedule?: RetrySchedule
  /** How often other processes' events and due retries are looked for. */
  pollMs?: number
  /** A claim outlives the longest attempt by far: only a crashed holder lets it run out. */
  leaseMs?: number
  timeoutMs?: number
  batch?: number
}

export class EventDeliverer {
  readonly #o: Required<Omit<DelivererOptions, 'delivered'>> & Pick<DelivererOptions, 'delivered'>
  readonly #inFlight = new Set<AbortController>()
  #timer: NodeJS.Timeout | undefined
  #running: Promise<void> | undefined
  #again = false
  #closed = false

  constructor (options: DelivererOptions) {
    this.#o = { schedule: DEFAULT_SCHEDULE, pollMs: 1_000, leaseMs: 120_000, timeoutMs: 15_000, batch: 20, ...options }
  }

  start (): void {
    this.wake()
  }

  /** Look now (an event was just queued here, or a dead letter re-queued). */
  wake (): void {
    if (this.#closed) return
    if (this.#running !== undefined) {
      this.#again = true
      return
    }
    clearTimeout(this.#timer)
    this.#running = this.#drain().finally(() => {
      this.#running = undefined
      if (this.#closed) return
      if (this.#again) {
        this.#again = false
        this.wake()
        return
      }
      this.#timer = setTimeout(() => this.wake(), this.#o.pollMs)
      this.#timer.unref()
    })
  }

  /** Stops claiming; attempts under way are cut short and handed back, due at once. */
  async close (): Promise<void> {
    this.#closed = true
    clearTimeout(this.#timer)
    for (const abort of this.#inFlight) abort.abort()
    await this.#running
  }

  async #drain (): Promise<void> {
    try {
      for (;;) {
        const claimed = await this.#o.queue.claim(this.#o.now(), this.#o.leaseMs, this.#o.batch)
        await Promise.all(claimed.map((c) => this.#attempt(c)))
        if (claimed.length < this.#o.batch || this.#closed) return
      }
    } catch (err) {
      // Redis away: the next poll tries again; claimed events come back when their lease ends.
      this.#o.logger.warn({ err }, 'event queue not reachable')
    }
  }

  async #attempt (claimed: ClaimedEvent): Promise<void> {
    const { event } = claimed
    const abort = new AbortController()
    this.#inFlight.add(abort)
    let failure: string | undefined
    try {
      failure = await this.#post(event, abort.signal)
    } finally {
      this.#inFlight.delete(abort)
    }
    const queue = this.#o.queue
    if (failure === undefined) {
      await queue.ack(claimed)
      this.#o.delivered?.('delivered')
      this.#o.logger.info({ event: event.id, type: event.type, connection: event.connection, attempt: claimed.state.attempts + 1 }, 'event delivered')
      return
    }
    const now = this.#o.now()
    if (abort.signal.aborted && this.#closed) {
      // Shutting down: not the receiver's failure. Another process (or the next start) takes it.
      await queue.reschedule(claimed, now, claimed.state)
      return
    }
    const state: DeliveryState = { attempts: claimed.state.attempts + 1, since: claimed.state.since, last_error: failure }
    const log = { event: event.id, type: event.type, connection: event.connection, attempt: state.attempts, error: failure }
    if (exhausted(state.since, now, this.#o.schedule)) {
      await queue.bury(claimed, state, now)
      this.#o.delivered?.('dead')
      this.#o.logger.error(log, 'event delivery given up: moved to the dead letters')
      return
    }
    const delay = retryDelayMs(state.attempts, this.#o.schedule)
    await queue.reschedule(claimed, now + delay, state)
    this.#o.delivered?.('failed')
    this.#o.logger.warn({ ...log, retry_in_ms: delay }, 'event delivery failed')
  }

  /** undefined when delivered, else why not (a status or an error name: never a body or a secret). */
  async #post (event: QueuedEvent, signal: AbortSignal): Promise<string | undefined> {
    let key: Buffer
    try {
      key = await this.#o.signingKey()
    } catch (err) {
      return `cannot sign: ${(err as Error).message}`
    }
    let url: URL
    try {
      url = new URL(event.destination.url)
    } catch {
      return 'invalid destination URL'
    }
    const timestamp = Math.floor(this.#o.now() / 1000)
    const dispatcher = event.destination.guarded ? this.#o.dispatchers.guarded : this.#o.dispatchers.trusted
    const timeout = AbortSignal.timeout(this.#o.timeoutMs)
    try {
      const res = await dispatcher.request({
        origin: url.origin,
        path: `${url.pathname}${url.search}`,
        method: 'POST',
        headers: { 'content-type': 'application/json', 'user-agent': 'latchkey', ...signStandard(key, event.id, timestamp, event.body) },
        body: event.body,
        headersTimeout: this.#o.timeoutMs,
        bodyTimeout: this.#o.timeoutMs,
        signal: AbortSignal.any([signal, timeout]),
      })
      // The answer's body is not ours to keep; reading it frees the connection for reuse.
      await res.body.dump({ limit: 64 * 1024 }).catch(() => {})
      return res.statusCode >= 200 && res.statusCode < 300 ? undefined : `HTTP ${res.statusCode}`
    } catch (err) {
      if (timeout.aborted) return 'timeout'
      if (signal.aborted) return 'aborted'
      const code = (err as { code?: string }).code ?? (err as { cause?: { code?: string } }).cause?.code
      return code === 'LATCHKEY_PRIVATE_ADDRESS' ? 'destination host is not allowed' : code ?? 'network error'
    }
  }
}
