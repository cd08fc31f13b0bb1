/**
 * upstream_timeout for the relayed path without a node timer per request. A timer per request
 * (setTimeout when sent, clearTimeout at the headers) cost ~0.6 us of the api_key path in perf:
 * a Timeout object, a timer-list insertion and a removal, for a timer that almost never fires.
 *
 * Here the requests waiting for their headers are linked into one list, in the order they were
 * sent, and one timer is armed for the earliest deadline. Requests mostly share one timeout, so
 * the earliest deadline is at the front: when the timer fires, the expired requests are at the
 * front, the scan stops at the first one still in time, and the timer is armed again for it.
 * With answers arriving in time, the timer fires about once per timeout, whatever the load.
 *
 * The links live on the requests themselves (a `Deadline` they extend). A Map of waiting
 * requests was measured first: its hash table, rewritten on every request and rebuilt every
 * hundred or so, multiplied the scavenger's work per request by six (callgrind).
 */

/** A request that can be timed out; `expire()` runs once its deadline has passed. */
export abstract class Deadline {
  /** performance.now() ms; meaningful while watched. */
  deadlineAt = 0
  deadlinePrev: Deadline | null = null
  deadlineNext: Deadline | null = null
  /** True while in a Deadlines list. */
  deadlineWatched = false
  abstract expire (): void
}

export class Deadlines {
  #head: Deadline | null = null
  #tail: Deadline | null = null
  #size = 0
  #timer: NodeJS.Timeout | undefined
  /** The deadline the timer is armed for (Infinity when none). */
  #armedFor = Infinity
  /** Whether deadlines only grow along the list (one timeout for all), since it was empty. */
  #ordered = true

  constructor (private readonly now: () => number = () => performance.now()) {}

  /** Starts the clock of `item`: expire() runs `timeoutMs` from now unless cleared first. */
  watch (item: Deadline, timeoutMs: number): void {
    if (item.deadlineWatched) this.clear(item)
    const at = this.now() + timeoutMs
    const tail = this.#tail
    if (tail === null) this.#ordered = true
    else if (at < tail.deadlineAt) this.#ordered = false // a reload changed upstream_timeout
    item.deadlineAt = at
    item.deadlinePrev = tail
    item.deadlineNext = null
    item.deadlineWatched = true
    if (tail === null) this.#head = item
    else tail.deadlineNext = item
    this.#tail = item
    this.#size++
    if (at < this.#armedFor) this.#arm(at)
  }

  /** Stops the clock of `item` (its headers are in, or it failed); a no-op when not watched. */
  clear (item: Deadline): void {
    if (!item.deadlineWatched) return
    const { deadlinePrev: prev, deadlineNext: next } = item
    if (prev === null) this.#head = next
    else prev.deadlineNext = next
    if (next === null) this.#tail = prev
    else next.deadlinePrev = prev
    item.deadlinePrev = null
    item.deadlineNext = null
    item.deadlineWatched = false
    this.#size--
    // The timer stays armed: firing with nothing due re-arms it for the next deadline, or not.
  }

  /** Requests waiting for their headers. */
  get size (): number { return this.#size }

  #arm (at: number): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer)
    this.#armedFor = at
    this.#timer = setTimeout(() => this.#fire(), Math.max(1, Math.ceil(at - this.now())))
    // The waiting requests' sockets keep the process alive, not this timer.
    this.#timer.unref()
  }

  #fire (): void {
    this.#timer = undefined
    this.#armedFor = Infinity
    const now = this.now()
    const due: Deadline[] = []
    let next = Infinity
    for (let item = this.#head; item !== null; item = item.deadlineNext) {
      if (item.deadlineAt <= now) {
        due.push(item)
      } else if (item.deadlineAt < next) {
        next = item.deadlineAt
        // In order, the first one still in time has the earliest deadline left.
        if (this.#ordered) break
      }
    }
    for (const item of due) this.clear(item)
    if (next !== Infinity) this.#arm(next)
    for (const item of due) item.expire()
  }
}
