/**
 * The connector's opt-in `retry` (SPEC 3): which upstream answers are worth sending the request
 * again, and how long to wait first. Compiled once per connection; the data plane only asks.
 */
import type { ConnectorConfig } from '../config/schema.js'
import { GatewayError } from '../errors.js'

export interface RetryPolicy {
  /** Further attempts after the first. */
  readonly max: number
  readonly on: ReadonlySet<number>
  readonly methods: ReadonlySet<string>
}

const DEFAULT_ON = [429, 502, 503, 504]
const DEFAULT_METHODS = ['GET', 'HEAD']
/** First wait; doubles per attempt. */
const BASE_DELAY_MS = 100
/** No wait is longer, whatever Retry-After asks: the caller is waiting. */
export const MAX_DELAY_MS = 2_000

/** undefined when retries are off (`max` 0, the default): the request path does not look further. */
export function compileRetry (config: ConnectorConfig['retry']): RetryPolicy | undefined {
  const max = config?.max ?? 0
  if (max === 0) return undefined
  return Object.freeze({
    max,
    on: new Set(config?.on ?? DEFAULT_ON),
    methods: new Set((config?.methods ?? DEFAULT_METHODS).map((m) => m.toUpperCase())),
  })
}

/**
 * May a request with this method and body be sent again? Only a body latchkey holds (none, or
 * buffered) can be; a streamed one is gone after the first attempt.
 */
export function canRetry (policy: RetryPolicy | undefined, method: string, body: unknown): boolean {
  return policy !== undefined && policy.methods.has(method) && (body === null || Buffer.isBuffer(body))
}

/** An upstream status, or a transport failure as the status latchkey would answer with. */
export function retryableStatus (policy: RetryPolicy, outcome: number | unknown): boolean {
  if (typeof outcome === 'number') return policy.on.has(outcome)
  if (outcome instanceof GatewayError && (outcome.code === 'upstream_unreachable' || outcome.code === 'upstream_timeout')) {
    return policy.on.has(outcome.status)
  }
  return false
}

/**
 * Milliseconds before attempt `retry` (1 for the first retry): 100 ms doubling, or the
 * upstream's Retry-After (seconds or an HTTP date) when it asks for longer, never over 2 s.
 */
export function retryDelayMs (retry: number, retryAfter: string | string[] | undefined, now = Date.now()): number {
  const backoff = Math.min(BASE_DELAY_MS * 2 ** (retry - 1), MAX_DELAY_MS)
  const asked = parseRetryAfter(Array.isArray(retryAfter) ? retryAfter[0] : retryAfter, now)
  return asked === undefined ? backoff : Math.min(Math.max(asked, backoff), MAX_DELAY_MS)
}

function parseRetryAfter (value: string | undefined, now: number): number | undefined {
  if (value === undefined) return undefined
  const trimmed = value.trim()
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000
  const at = Date.parse(trimmed)
  return Number.isNaN(at) ? undefined : Math.max(0, at - now)
}
