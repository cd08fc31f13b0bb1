/** `Server-Timing` for one request: `auth`, `upstream` and `total`, in milliseconds. */
import { performance } from 'node:perf_hooks'
import type { RequestTrace } from '../observability/tracing.js'

export class RequestTimer {
  readonly start = performance.now()
  /** The request's spans when tracing is on (set by execute()); null otherwise. */
  trace: RequestTrace | null = null
  private authStart = 0
  private authMs = 0
  private upstreamStart = 0
  private upstreamMs = 0
  private upstreamEnded = false

  // One clock read per boundary: the upstream begins when auth ends, and the header is written
  // when the upstream's headers are in (each performance.now() is ~80 ns).
  beginAuth (): void { this.authStart = performance.now() }
  /** Auth is done and the upstream call begins. */
  endAuthBeginUpstream (): void {
    const now = performance.now()
    this.authMs = now - this.authStart
    this.upstreamStart = now
  }

  /** The upstream's headers are in; returns the time, for header(). */
  endUpstream (): number {
    const now = performance.now()
    this.upstreamMs = now - this.upstreamStart
    this.upstreamEnded = true
    return now
  }

  /** Seconds spent waiting for the upstream's response headers (the latency histogram); null without an upstream answer. */
  get upstreamSeconds (): number | null { return this.upstreamEnded ? this.upstreamMs / 1000 : null }

  /** Milliseconds since the request began. */
  elapsedMs (): number { return performance.now() - this.start }

  header (now = performance.now()): string {
    const total = now - this.start
    return `auth;dur=${fixed1(this.authMs)}, upstream;dur=${fixed1(this.upstreamMs)}, total;dur=${fixed1(total)}`
  }
}

/**
 * One decimal for the non-negative durations above, like `ms.toFixed(1)` (which rounds the
 * binary value, so 0.15 gives 0.1 there and 0.2 here). Three per response were ~1% of the
 * api_key bench profile; micro-benchmark: ~70 ns per call against ~200 ns for toFixed.
 */
export function fixed1 (ms: number): string {
  const tenths = Math.round(ms * 10)
  return `${Math.floor(tenths / 10)}.${tenths % 10}`
}
