/**
 * Prometheus metrics (SPEC 9). One registry per gateway, so several gateways in one process
 * (tests) never share counters. Labels are bounded: connection ids come from the config, and a
 * request that matched no connection is counted under `connection=""`.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client'
import type { TokenEvents } from '../tokens/service.js'
import type { RefreshResult } from '../tokens/types.js'
import type { RedisErrorCounter, RedisRole } from '../redis/connect.js'
import { LatencyHistogram, type LatencySeries } from './latency-histogram.js'

export interface Metrics {
  readonly registry: Registry
  request (connection: string | null, status: number, upstreamSeconds: number | null): void
  readonly tokenEvents: TokenEvents
  /** SPEC 8.2 delivery attempts: delivered (2xx), failed (to be retried), dead (given up). */
  eventDelivered (result: 'delivered' | 'failed' | 'dead'): void
  /** The event queue's depth and oldest undelivered age, read when /metrics is scraped. */
  watchEventQueue (stats: () => Promise<{ depth: number, oldestAgeSeconds: number }>): void
  /** An oauth2 refresh ended (src/auth/oauth2.ts). */
  tokenRefreshed (connection: string, result: RefreshResult): void
  /** A connection error of one of latchkey's Redis clients (the token cache counts its own failed commands too). */
  readonly redisError: RedisErrorCounter
}

/** Every role, so each series exists (at 0) before its first error. */
const REDIS_ROLES: readonly RedisRole[] = ['cache', 'cache_subscriber', 'store', 'store_subscriber', 'events', 'connect_sessions']

/** Lock waits: most are a token request's round trip, the longest the lock TTL. */
const WAIT_BUCKETS = [0.001, 0.005, 0.025, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30]

interface ConnectionSeries {
  counts: number[]
  /** The latency histogram's series, made on the first upstream answer. */
  upstream: LatencySeries | undefined
}

/**
 * Counting is a plain increment on the request path: prom-client's inc() validates and hashes its
 * labels on every call, even on a labelled child (the counters and the histogram were ~3% of the
 * warm client-credentials bench profile). The counts are added to the prom-client counters when
 * the registry collects them, so every /metrics answer includes every request counted before it.
 */
export function createMetrics (): Metrics {
  const registry = new Registry()
  collectDefaultMetrics({ register: registry, prefix: 'latchkey_' })

  /**
   * connection -> its request counts by status class (index 1..5, up to 9 for odd statuses) and
   * its upstream latency series: one lookup per request for both (Map lookups add up when
   * requests rotate over many connections, each a cache miss). Bounded: connection ids come
   * from the config, unknown ones are counted under "".
   */
  const perConnection = new Map<string, ConnectionSeries>()
  const requests = new Counter({
    name: 'latchkey_requests_total',
    help: 'Requests answered, by connection and status class',
    labelNames: ['connection', 'status_class'] as const,
    registers: [registry],
    collect () {
      for (const [connection, { counts }] of perConnection) {
        for (let statusClass = 0; statusClass < counts.length; statusClass++) {
          const n = counts[statusClass]!
          if (n === 0) continue
          requests.labels(connection, `${statusClass}xx`).inc(n)
          counts[statusClass] = 0
        }
      }
    },
  })
  // Observed on every relayed request: accumulated by our own histogram, not prom-client's.
  const upstream = new LatencyHistogram({
    name: 'latchkey_upstream_duration_seconds',
    help: 'Time from sending the request upstream to its response headers',
    labelName: 'connection',
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [registry],
  })
  const fetchCounts = { ok: 0, error: 0, backoff: 0 }
  const fetches = new Counter({
    name: 'latchkey_token_fetches_total',
    help: 'Token endpoint requests by result (ok, error, backoff = refused while backing off)',
    labelNames: ['result'] as const,
    registers: [registry],
    collect () { flush(fetches, fetchCounts) },
  })
  const cacheCounts = { hit_local: 0, hit_shared: 0, miss: 0 }
  const cache = new Counter({
    name: 'latchkey_token_cache_total',
    help: 'Token cache lookups by result (hit_local, hit_shared, miss)',
    labelNames: ['result'] as const,
    registers: [registry],
    collect () { flush(cache, cacheCounts) },
  })
  // Off the warm path (a refresh, a cold token, a Redis failure): prom-client's own inc() is fine.
  const refreshes = new Counter({
    name: 'latchkey_token_refreshes_total',
    help: 'oauth2 refresh-token grants by connection and result (ok, already_refreshed, refresh_failed, error, backoff)',
    labelNames: ['connection', 'result'] as const,
    registers: [registry],
  })
  const lockWaits = new Histogram({
    name: 'latchkey_token_lock_wait_seconds',
    help: "Time a request waited for another request's fetch of the same token (single flight, in the process or through the Redis lock), by connection",
    labelNames: ['connection'] as const,
    buckets: WAIT_BUCKETS,
    registers: [registry],
  })
  const redisErrors = new Counter({
    name: 'latchkey_redis_errors_total',
    help: 'Redis failures by role: cache (token cache: failed commands and connection errors), cache_subscriber (its pub/sub), store and store_subscriber (the redis secret store), events (the event queue), connect_sessions (connect-page sessions); connection errors unless said',
    labelNames: ['role'] as const,
    registers: [registry],
  })

  // Pre-create the children so the series exist (at 0) before the first event.
  for (const result of Object.keys(fetchCounts)) fetches.labels(result).inc(0)
  for (const result of Object.keys(cacheCounts)) cache.labels(result).inc(0)
  for (const role of REDIS_ROLES) redisErrors.labels(role).inc(0)
  const redisError: RedisErrorCounter = (role) => { redisErrors.labels(role).inc() }

  const deliveryCounts = { delivered: 0, failed: 0, dead: 0 }
  const deliveries = new Counter({
    name: 'latchkey_event_deliveries_total',
    help: 'Event (lifecycle and forwarded webhook) delivery attempts by result (delivered, failed = will be retried, dead)',
    labelNames: ['result'] as const,
    registers: [registry],
    collect () { flush(deliveries, deliveryCounts) },
  })
  for (const result of Object.keys(deliveryCounts)) deliveries.labels(result).inc(0)
  let queueStats: (() => Promise<{ depth: number, oldestAgeSeconds: number }>) | undefined
  // One read of the queue per scrape, shared by both gauges.
  let pendingStats: Promise<{ depth: number, oldestAgeSeconds: number } | undefined> | undefined
  const readStats = () => (pendingStats ??= (queueStats?.() ?? Promise.resolve(undefined)).catch(() => undefined).finally(() => { pendingStats = undefined }))
  const depth = new Gauge({
    name: 'latchkey_event_queue_depth',
    help: 'Events queued and not yet delivered (dead letters not included)',
    registers: [registry],
    async collect () {
      const stats = await readStats()
      if (stats !== undefined) depth.set(stats.depth)
    },
  })
  const oldest = new Gauge({
    name: 'latchkey_event_queue_oldest_age_seconds',
    help: 'Age of the oldest undelivered event, 0 when none',
    registers: [registry],
    async collect () {
      const stats = await readStats()
      if (stats !== undefined) oldest.set(stats.oldestAgeSeconds)
    },
  })

  return {
    registry,
    eventDelivered (result) { deliveryCounts[result]++ },
    watchEventQueue (stats) { queueStats = stats },
    request (connection, status, upstreamSeconds) {
      const id = connection ?? ''
      let series = perConnection.get(id)
      if (series === undefined) {
        series = { counts: new Array<number>(10).fill(0), upstream: undefined }
        perConnection.set(id, series)
      }
      series.counts[Math.floor(status / 100) % 10]!++
      if (upstreamSeconds !== null) (series.upstream ??= upstream.series(id)).observe(upstreamSeconds)
    },
    tokenEvents: {
      hit: (tier) => { cacheCounts[tier === 'local' ? 'hit_local' : 'hit_shared']++ },
      miss: () => { cacheCounts.miss++ },
      fetched: (result) => { fetchCounts[result]++ },
      waited: (connection, seconds) => { lockWaits.labels(connection).observe(seconds) },
      redisError,
    },
    redisError,
    tokenRefreshed (connection, result) { refreshes.labels(connection, result).inc() },
  }
}

function flush<K extends string> (counter: Counter<'result'>, counts: Record<K, number>): void {
  for (const result of Object.keys(counts) as K[]) {
    if (counts[result] === 0) continue
    counter.labels(result).inc(counts[result])
    counts[result] = 0
  }
}
