/**
 * Per-key back-off after a failed token request: about 1 s, doubling, capped at 30 s. While a key
 * backs off, requests fail fast with the same error instead of hammering the endpoint.
 */
export const FIRST_DELAY_MS = 1000
export const MAX_DELAY_MS = 30_000

interface State { until: number, delay: number }

export class Backoff {
  readonly #state = new Map<string, State>()
  readonly #now: () => number

  constructor (now: () => number) {
    this.#now = now
  }

  /** Epoch ms until which `key` must not be retried, or undefined. */
  blockedUntil (key: string): number | undefined {
    const state = this.#state.get(key)
    return state !== undefined && state.until > this.#now() ? state.until : undefined
  }

  /** Records a failure and returns the epoch ms until which the key backs off. */
  fail (key: string): number {
    const prior = this.#state.get(key)
    const delay = prior === undefined ? FIRST_DELAY_MS : Math.min(prior.delay * 2, MAX_DELAY_MS)
    const until = this.#now() + delay
    this.#state.set(key, { until, delay })
    // Bounded: keys whose back-off ran out long ago (past the cap) carry no information.
    if (this.#state.size > 10_000) {
      for (const [k, v] of this.#state) if (v.until + MAX_DELAY_MS < this.#now()) this.#state.delete(k)
    }
    return until
  }

  succeed (key: string): void {
    this.#state.delete(key)
  }
}
