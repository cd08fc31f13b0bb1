/**
 * Optional OpenTelemetry tracing (README "Tracing"): one server span per data-plane request
 * with `auth`, `token` and `upstream` children, and a W3C `traceparent` for the upstream.
 *
 * Off by default, and then free: `openTracing` returns NO_TRACING without loading any
 * @opentelemetry module (tracing-otel.ts is imported only when enabled), `begin` returns null,
 * and the pipeline's only cost is a null check per hook (`timer.trace?.`).
 *
 * What a span may carry is decided here and in tracing-otel.ts, nowhere else: connection id,
 * connector slug, auth type and method name, caller kind, method, upstream host and path
 * (without its query), statuses, attempt numbers and latchkey's error codes. Never a user id,
 * caller key, query string, header value, token or secret.
 */
import type { Caller } from '../callers/types.js'
import type { TracingSettings } from '../config/model.js'
import type { IncomingHttpHeaders } from 'node:http'
import type { UpstreamRequest } from '../proxy/forward.js'
import type { CompiledConnection } from '../runtime/connection.js'
import type { SecretLookup } from '../runtime/secrets.js'
import type { TemplateCompiler } from '../config/semantic.js'
import type { TokenEvents } from '../tokens/service.js'
import type { RefreshResult } from '../tokens/types.js'
import type { Logger } from './logger.js'

/** Why an upstream attempt is sent again (pipeline/attempts.ts). */
export type Resend = 'replay' | 'retry'

/** The spans of one data-plane request. */
export interface RequestTrace {
  /** identify -> access -> status -> rate limit (pipeline/authorize.ts). */
  beginAuth (): void
  endAuth (caller: Caller): void
  /** Runs a token-based method's `apply` inside the `token` span (proxy/prepare.ts). */
  token<T> (conn: CompiledConnection, apply: () => T | Promise<T>): Promise<T>
  /**
   * Starts the `upstream` span of attempt `attempt` (1 = first) and returns the request to send:
   * the same, with exactly one `traceparent` (this span's) and latchkey's `tracestate`.
   */
  upstream (request: UpstreamRequest, attempt: number, resend: Resend | undefined): UpstreamRequest
  /** The attempt's answer status, or the error it failed with: ends its span. */
  upstreamDone (outcome: number | unknown): void
  /** execute() is done and the answer has begun; `streaming`: a relayed body is still on its way. */
  answered (streaming: boolean): void
  /** The relayed body ended; `err` when it failed midway. */
  bodyEnded (err?: unknown): void
  /** Ends the request span (and any child still open): failed with `err`, or done. Idempotent. */
  end (err?: unknown): void
}

/**
 * What a trace reads of a data-plane request: the pipeline's PlaneRequest has these, and this
 * module names them itself so the pipeline can import it without an import cycle.
 */
export interface TracedRequest {
  readonly conn: CompiledConnection
  readonly method: string
  /** A function for an action (built for the caller), a value for /proxy. */
  readonly target: unknown
  readonly headers: IncomingHttpHeaders
  readonly timer: { readonly start: number }
  /** Whether the caller has gone away (the span is then abandoned, not failed). */
  readonly respond: { readonly gone: boolean }
}

/** The process's tracer: starts request traces and watches token outcomes for the `token` span. */
export interface RequestTracer {
  /** null when tracing is off (or this request is not traced at all). */
  begin (request: TracedRequest): RequestTrace | null
  /** Token service events, also noted on the token span of the request they happen in. */
  tokenEvents (inner: TokenEvents): TokenEvents
  /** oauth2 refresh results, also noted on the token span of the request they happen in. */
  tokenRefreshed (inner: (connection: string, result: RefreshResult) => void): (connection: string, result: RefreshResult) => void
  /** Exports what is still buffered, then stops (graceful shutdown). */
  shutdown (): Promise<void>
}

/** Tracing off: nothing begins, the events pass through untouched, nothing to flush. */
export const NO_TRACING: RequestTracer = Object.freeze({
  begin: () => null,
  tokenEvents: (inner: TokenEvents) => inner,
  tokenRefreshed: (inner: (connection: string, result: RefreshResult) => void) => inner,
  shutdown: async () => {},
})

export interface TracingDeps {
  env: NodeJS.ProcessEnv
  /** The `caller`-site templates of `headers` (get_secret, get_variable). */
  compiler: TemplateCompiler
  secrets: SecretLookup
  logger: Logger
}

/**
 * The tracer for `server.tracing`. Enabled only by `enabled: true`; `OTEL_SDK_DISABLED=true`
 * turns it off again, as the OpenTelemetry SDKs read it. A bad endpoint, sampler or header
 * throws here, at start: tracing that was asked for never silently goes missing.
 */
export async function openTracing (settings: TracingSettings, deps: TracingDeps): Promise<RequestTracer> {
  if (!settings.enabled || deps.env.OTEL_SDK_DISABLED?.trim().toLowerCase() === 'true') return NO_TRACING
  const { openOtelTracing } = await import('./tracing-otel.js')
  return openOtelTracing(settings, deps)
}
