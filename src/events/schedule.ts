/**
 * When a failed delivery is tried again (SPEC 8.2): the first retry within 5 s, then doubling,
 * capped at 1 hour, with jitter so a receiver that comes back is not hit by every process at
 * once; after at least 24 hours of failures the event goes to the dead letters.
 */
export interface RetrySchedule {
  /** Upper bound of the first retry's delay. */
  readonly firstMs: number
  readonly maxMs: number
  /** Failures for this long (since the event was queued) bury it. */
  readonly retryForMs: number
}

export const DEFAULT_SCHEDULE: RetrySchedule = { firstMs: 5_000, maxMs: 3_600_000, retryForMs: 24 * 3_600_000 }

/** The delay after the `attempts`-th failed attempt (1 = the first): in [50%, 100%] of its step. */
export function retryDelayMs (attempts: number, schedule: RetrySchedule, random: () => number = Math.random): number {
  const step = Math.min(schedule.maxMs, schedule.firstMs * 2 ** Math.min(Math.max(0, attempts - 1), 30))
  return Math.round(step * (0.5 + random() / 2))
}

/** Whether the retry window is over: failures for `retryForMs` since `sinceMs`. */
export function exhausted (sinceMs: number, nowMs: number, schedule: RetrySchedule): boolean {
  return nowMs - sinceMs >= schedule.retryForMs
}
