/**
 * The OpenTelemetry tracer behind tracing.ts, loaded only when `server.tracing.enabled`.
 *
 * Nothing global is registered (no global tracer provider, context manager or propagator): the
 * provider is this gateway's, contexts are passed explicitly, so several gateways in one
 * process (tests) never share or overwrite each other's tracing, and nothing else in the
 * process gets traced by accident. Spans go through a batch processor to the OTLP/HTTP (JSON)
 * exporter; shutdown() flushes it.
 *
 * The `token` span learns what the token service did (cache hit, miss, refresh, joined another
 * request's fetch) from the same events the metrics count, attributed to the request they
 * happen in through an AsyncLocalStorage that exists only here.
 */
import { AsyncLocalStorage } from 'node:async_hooks'
import {
  ROOT_CONTEXT, SpanKind, SpanStatusCode, defaultTextMapGetter, defaultTextMapSetter, trace,
  type Attributes, type Context, type Span, type Tracer,
} from '@opentelemetry/api'
import { ExportResultCode, W3CTraceContextPropagator, type ExportResult } from '@opentelemetry/core'
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http'
import { defaultResource, resourceFromAttributes } from '@opentelemetry/resources'
import {
  AlwaysOffSampler, AlwaysOnSampler, BasicTracerProvider, BatchSpanProcessor, ParentBasedSampler, TraceIdRatioBasedSampler,
  type ReadableSpan, type Sampler, type SpanExporter,
} from '@opentelemetry/sdk-trace-base'
import {
  ATTR_ERROR_TYPE, ATTR_HTTP_REQUEST_METHOD, ATTR_HTTP_RESPONSE_STATUS_CODE, ATTR_SERVER_ADDRESS, ATTR_SERVER_PORT,
  ATTR_SERVICE_NAME, ATTR_SERVICE_VERSION, ATTR_URL_PATH, ATTR_URL_SCHEME,
} from '@opentelemetry/semantic-conventions'
import type { Caller } from '../callers/types.js'
import { packageVersion } from '../commands/version.js'
import type { TracingSettings } from '../config/model.js'
import { GatewayError, isGatewayError } from '../errors.js'
import type { UpstreamRequest } from '../proxy/forward.js'
import type { CompiledConnection } from '../runtime/connection.js'
import type { TokenEvents } from '../tokens/service.js'
import type { RefreshResult } from '../tokens/types.js'
import type { Logger } from './logger.js'
import type { RequestTrace, RequestTracer, Resend, TracedRequest, TracingDeps } from './tracing.js'

const DEFAULT_ENDPOINT = 'http://localhost:4318/v1/traces'
const DEFAULT_SERVICE = 'latchkey'
/** An export that has not finished by then is given up (the batch is dropped, never retried forever). */
const EXPORT_TIMEOUT_MS = 10_000
/** At most one warning per this long about failed exports. */
const WARN_EVERY_MS = 60_000

// Attribute names of latchkey's own (the rest are OpenTelemetry semantic conventions).
const CONNECTION = 'latchkey.connection.id'
const CONNECTOR = 'latchkey.connector'
const ROUTE = 'latchkey.route'
const CALLER_KIND = 'latchkey.caller.kind'
const AUTH_TYPE = 'latchkey.auth.type'
const AUTH_METHOD = 'latchkey.auth.method'
const TOKEN_CACHE = 'latchkey.token.cache'
const TOKEN_TIER = 'latchkey.token.tier'
const TOKEN_FETCH = 'latchkey.token.fetch'
const TOKEN_REFRESH = 'latchkey.token.refresh'
const ATTEMPT = 'latchkey.upstream.attempt'
const RESEND = 'latchkey.upstream.resend'
const ABANDONED = 'latchkey.caller_gone'

/** What the token service did for one request, strongest first when several happened. */
type TokenOutcome = 'refresh' | 'miss' | 'joined' | 'hit'
const RANK: Readonly<Record<TokenOutcome, number>> = { refresh: 4, miss: 3, joined: 2, hit: 1 }

interface TokenNotes {
  outcome?: TokenOutcome
  tier?: 'local' | 'shared'
  fetch?: 'ok' | 'error' | 'backoff'
  refresh?: RefreshResult
}

export async function openOtelTracing (settings: TracingSettings, deps: TracingDeps): Promise<RequestTracer> {
  const { env } = deps
  const headers = await renderHeaders(settings.headers, deps)
  const exporter = new WarningExporter(new OTLPTraceExporter({ url: endpointOf(settings, env), headers, timeoutMillis: EXPORT_TIMEOUT_MS }), deps.logger)
  const serviceName = settings.service_name ?? nonEmpty(env.OTEL_SERVICE_NAME) ?? DEFAULT_SERVICE
  const provider = new BasicTracerProvider({
    resource: defaultResource().merge(resourceFromAttributes({ [ATTR_SERVICE_NAME]: serviceName, [ATTR_SERVICE_VERSION]: packageVersion() })),
    sampler: samplerOf(settings, env),
    spanProcessors: [new BatchSpanProcessor(exporter, { exportTimeoutMillis: EXPORT_TIMEOUT_MS })],
  })
  // An export that fails at shutdown loses those spans; it must not fail the shutdown itself.
  const shutdown = () => provider.shutdown().catch(() => deps.logger.warn('trace export at shutdown failed: spans dropped'))
  return new OtelTracer(provider.getTracer('latchkey', packageVersion()), shutdown)
}

class OtelTracer implements RequestTracer {
  readonly #tracer: Tracer
  readonly #shutdown: () => Promise<void>
  readonly #propagator = new W3CTraceContextPropagator()
  readonly #tokens = new AsyncLocalStorage<TokenNotes>()
  #stopped: Promise<void> | undefined

  constructor (tracer: Tracer, shutdown: () => Promise<void>) {
    this.#tracer = tracer
    this.#shutdown = shutdown
  }

  begin (request: TracedRequest): RequestTrace {
    // The caller's traceparent/tracestate continue its trace (a malformed one starts a new
    // trace: the propagator's checks are fixed-shape regexes and a 512-character tracestate cap).
    const parent = this.#propagator.extract(ROOT_CONTEXT, request.headers, defaultTextMapGetter)
    return new OtelRequestTrace(this.#tracer, this.#propagator, this.#tokens, request, parent)
  }

  tokenEvents (inner: TokenEvents): TokenEvents {
    const notes = () => this.#tokens.getStore()
    return {
      hit: (tier) => {
        inner.hit?.(tier)
        const n = notes()
        if (n !== undefined) {
          note(n, 'hit')
          n.tier = tier
        }
      },
      miss: () => {
        inner.miss?.()
        const n = notes()
        if (n !== undefined) note(n, 'miss')
      },
      fetched: (result) => {
        inner.fetched?.(result)
        const n = notes()
        if (n !== undefined) n.fetch = result
      },
      waited: (connection, seconds) => {
        inner.waited?.(connection, seconds)
        const n = notes()
        if (n !== undefined) note(n, 'joined')
      },
      ...(inner.redisError === undefined ? {} : { redisError: inner.redisError.bind(inner) }),
    }
  }

  tokenRefreshed (inner: (connection: string, result: RefreshResult) => void): (connection: string, result: RefreshResult) => void {
    return (connection, result) => {
      inner(connection, result)
      const n = this.#tokens.getStore()
      if (n === undefined) return
      n.refresh = result
      if (result !== 'already_refreshed') note(n, 'refresh')
    }
  }

  shutdown (): Promise<void> {
    return (this.#stopped ??= this.#shutdown())
  }
}

function note (notes: TokenNotes, outcome: TokenOutcome): void {
  if (notes.outcome === undefined || RANK[outcome] > RANK[notes.outcome]) notes.outcome = outcome
}

class OtelRequestTrace implements RequestTrace {
  readonly #tracer: Tracer
  readonly #propagator: W3CTraceContextPropagator
  readonly #tokens: AsyncLocalStorage<TokenNotes>
  readonly #span: Span
  /** The request span's context: every child's parent. */
  readonly #context: Context
  /** The connection's attributes, on every span. */
  readonly #common: Attributes
  readonly #respond: TracedRequest['respond']
  #auth: Span | undefined
  #upstream: Span | undefined
  #status: number | undefined
  #bodyDone = false
  #answered = false
  #ended = false

  constructor (tracer: Tracer, propagator: W3CTraceContextPropagator, tokens: AsyncLocalStorage<TokenNotes>, request: TracedRequest, parent: Context) {
    this.#tracer = tracer
    this.#propagator = propagator
    this.#tokens = tokens
    const { conn } = request
    this.#respond = request.respond
    this.#common = { [CONNECTION]: conn.id, [CONNECTOR]: conn.connector.slug }
    // An action's target is built for the caller (/actions and MCP tool calls); /proxy's is known.
    const route = typeof request.target === 'function' ? 'action' : 'proxy'
    this.#span = tracer.startSpan(route, {
      kind: SpanKind.SERVER,
      // From the request's arrival (the timer starts with the exchange), not from execute().
      startTime: request.timer.start,
      attributes: this.#withCommon({ [ROUTE]: route, [ATTR_HTTP_REQUEST_METHOD]: request.method }),
    }, parent)
    this.#context = trace.setSpan(parent, this.#span)
  }

  beginAuth (): void {
    this.#auth = this.#child('auth', SpanKind.INTERNAL, this.#common)
  }

  endAuth (caller: Caller): void {
    const span = this.#auth
    if (span === undefined) return
    this.#auth = undefined
    span.setAttribute(CALLER_KIND, caller.kind)
    span.end()
  }

  async token<T> (conn: CompiledConnection, apply: () => T | Promise<T>): Promise<T> {
    const span = this.#child('token', SpanKind.INTERNAL, this.#withCommon({ [AUTH_TYPE]: conn.auth.type, [AUTH_METHOD]: conn.methodName }))
    const notes: TokenNotes = {}
    try {
      return await this.#tokens.run(notes, apply)
    } catch (err) {
      failed(span, err)
      throw err
    } finally {
      // No token service event: an oauth2 connection's own stored token was still good.
      span.setAttribute(TOKEN_CACHE, notes.outcome ?? 'stored')
      if (notes.tier !== undefined) span.setAttribute(TOKEN_TIER, notes.tier)
      if (notes.fetch !== undefined) span.setAttribute(TOKEN_FETCH, notes.fetch)
      if (notes.refresh !== undefined) span.setAttribute(TOKEN_REFRESH, notes.refresh)
      span.end()
    }
  }

  upstream (request: UpstreamRequest, attempt: number, resend: Resend | undefined): UpstreamRequest {
    this.#upstream?.end()
    const url = new URL(request.origin)
    const q = request.path.indexOf('?')
    const attributes: Attributes = this.#withCommon({
      [ATTR_HTTP_REQUEST_METHOD]: request.method,
      [ATTR_SERVER_ADDRESS]: url.hostname,
      [ATTR_SERVER_PORT]: url.port === '' ? (url.protocol === 'https:' ? 443 : 80) : Number(url.port),
      [ATTR_URL_SCHEME]: url.protocol.slice(0, -1),
      // Never the query: it can carry an api_key credential or the caller's data.
      [ATTR_URL_PATH]: q === -1 ? request.path : request.path.slice(0, q),
      [ATTEMPT]: attempt,
    })
    if (resend !== undefined) attributes[RESEND] = resend
    const span = this.#child('upstream', SpanKind.CLIENT, attributes)
    this.#upstream = span
    // A copy: the prepared headers are sent again on a retry. The caller's own traceparent and
    // tracestate (forwarded by header hygiene like any other header) give way to this span's,
    // so the upstream sees exactly one of each.
    const headers: Record<string, string | string[]> = {}
    for (const name in request.headers) {
      const lower = name.toLowerCase()
      if (lower !== 'traceparent' && lower !== 'tracestate') headers[name] = request.headers[name]!
    }
    this.#propagator.inject(trace.setSpan(this.#context, span), headers, defaultTextMapSetter)
    return { ...request, headers }
  }

  upstreamDone (outcome: number | unknown): void {
    const span = this.#upstream
    if (span === undefined) return
    this.#upstream = undefined
    if (typeof outcome === 'number') {
      this.#status = outcome
      span.setAttribute(ATTR_HTTP_RESPONSE_STATUS_CODE, outcome)
      // Semantic conventions: a client span with a 4xx or 5xx answer is an error, typed by status.
      if (outcome >= 400) {
        span.setAttribute(ATTR_ERROR_TYPE, String(outcome))
        span.setStatus({ code: SpanStatusCode.ERROR })
      }
    } else {
      failed(span, outcome)
    }
    span.end()
  }

  answered (streaming: boolean): void {
    this.#answered = true
    // Gone before the head: nothing is relayed, so no body end will come.
    if (this.#respond.gone) this.#abandon()
    else if (!streaming || this.#bodyDone) this.end()
  }

  bodyEnded (err?: unknown): void {
    this.#bodyDone = true
    // The caller hung up mid-body (the relay was stopped for it): not the upstream's failure.
    if (this.#respond.gone) return this.#abandon()
    // The upstream's connection failed mid-body: what a failure before the answer would be.
    if (err !== undefined) this.end(isGatewayError(err) ? err : new GatewayError('upstream_unreachable', 'the upstream answer was cut off'))
    // A short body can be through while execute() is still unwinding: answered() ends it then.
    else if (this.#answered) this.end()
  }

  #abandon (): void {
    if (this.#ended) return
    this.#span.setAttribute(ABANDONED, true)
    this.end()
  }

  end (err?: unknown): void {
    if (this.#ended) return
    this.#ended = true
    const span = this.#span
    for (const open of [this.#auth, this.#upstream]) {
      if (open === undefined) continue
      if (err !== undefined) failed(open, err)
      open.end()
    }
    this.#auth = undefined
    this.#upstream = undefined
    // The status the caller got: the upstream's once the answer has begun, else latchkey's error's.
    const status = this.#answered ? this.#status : isGatewayError(err) ? err.status : undefined
    if (status !== undefined) span.setAttribute(ATTR_HTTP_RESPONSE_STATUS_CODE, status)
    // A server span is an error for 5xx only (semantic conventions): a 4xx, latchkey's refusal
    // included, is the caller's, typed by error.type (the code) with the status left unset.
    if (err !== undefined && (status === undefined || status >= 500)) failed(span, err)
    else if (err !== undefined) span.setAttribute(ATTR_ERROR_TYPE, isGatewayError(err) ? err.code : 'internal_error')
    else if (status !== undefined && status >= 500) {
      span.setAttribute(ATTR_ERROR_TYPE, String(status))
      span.setStatus({ code: SpanStatusCode.ERROR })
    }
    span.end()
  }

  /**
   * The connection's attributes added to a span's own. Not `{ ...common, key: value }`: a spread
   * that adds keys to its copy takes V8's slow clone path every time (see proxy/route.ts).
   */
  #withCommon (attributes: Attributes): Attributes {
    for (const name in this.#common) attributes[name] = this.#common[name]
    return attributes
  }

  #child (name: string, kind: SpanKind, attributes: Attributes): Span {
    return this.#tracer.startSpan(name, { kind, attributes }, this.#context)
  }
}

/** ERROR with latchkey's error code and nothing else: no message, no exception event. */
function failed (span: Span, err: unknown): void {
  const code = isGatewayError(err) ? err.code : 'internal_error'
  span.setAttribute(ATTR_ERROR_TYPE, code)
  span.setStatus({ code: SpanStatusCode.ERROR, message: code })
}

/** Explicit config, then OTEL_EXPORTER_OTLP_TRACES_ENDPOINT (as is), then OTEL_EXPORTER_OTLP_ENDPOINT + /v1/traces. */
function endpointOf (settings: TracingSettings, env: NodeJS.ProcessEnv): string {
  if (settings.endpoint !== undefined) return checkedUrl(settings.endpoint, 'server.tracing.endpoint')
  const traces = nonEmpty(env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT)
  if (traces !== undefined) return checkedUrl(traces, 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT')
  const base = nonEmpty(env.OTEL_EXPORTER_OTLP_ENDPOINT)
  if (base !== undefined) return checkedUrl(`${base.replace(/\/+$/, '')}/v1/traces`, 'OTEL_EXPORTER_OTLP_ENDPOINT')
  return DEFAULT_ENDPOINT
}

/** The value is not repeated in the error: a collector URL may carry credentials. */
function checkedUrl (value: string, name: string): string {
  let url: URL
  try {
    url = new URL(value)
  } catch {
    throw new Error(`${name} is not a URL`)
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error(`${name} must be an http or https URL`)
  return url.href
}

/**
 * `sample_ratio` from the config: parent-based, new traces kept at that ratio. Without it the
 * standard OTEL_TRACES_SAMPLER / OTEL_TRACES_SAMPLER_ARG, then parent-based always-on.
 */
function samplerOf (settings: TracingSettings, env: NodeJS.ProcessEnv): Sampler {
  if (settings.sample_ratio !== undefined) return new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(settings.sample_ratio) })
  const name = nonEmpty(env.OTEL_TRACES_SAMPLER)?.toLowerCase() ?? 'parentbased_always_on'
  const ratio = () => samplerRatio(env.OTEL_TRACES_SAMPLER_ARG)
  switch (name) {
    case 'always_on': return new AlwaysOnSampler()
    case 'always_off': return new AlwaysOffSampler()
    case 'traceidratio': return new TraceIdRatioBasedSampler(ratio())
    case 'parentbased_always_on': return new ParentBasedSampler({ root: new AlwaysOnSampler() })
    case 'parentbased_always_off': return new ParentBasedSampler({ root: new AlwaysOffSampler() })
    case 'parentbased_traceidratio': return new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(ratio()) })
    default:
      throw new Error('OTEL_TRACES_SAMPLER must be always_on, always_off, traceidratio, parentbased_always_on, parentbased_always_off or parentbased_traceidratio')
  }
}

function samplerRatio (arg: string | undefined): number {
  const text = nonEmpty(arg)
  if (text === undefined) return 1
  const ratio = /^\d+(\.\d+)?$/.test(text) ? Number(text) : NaN
  if (!(ratio >= 0 && ratio <= 1)) throw new Error('OTEL_TRACES_SAMPLER_ARG must be a ratio from 0 to 1')
  return ratio
}

/** The collector's headers, rendered once at start; a failure names the header, never a value. */
async function renderHeaders (templates: Readonly<Record<string, string>>, deps: TracingDeps): Promise<Record<string, string>> {
  const out: Record<string, string> = {}
  for (const [name, source] of Object.entries(templates)) {
    const template = deps.compiler.compile(source, 'caller')
    let value: string
    try {
      value = template.render(NO_REQUEST, await deps.secrets(template.secrets))
    } catch (err) {
      throw new Error(`server.tracing.headers.${name} did not render (${(err as { code?: string }).code ?? 'template_error'})`)
    }
    if (/[\r\n\0]/.test(value)) throw new Error(`server.tracing.headers.${name} renders to a value with CR, LF or NUL`)
    out[name] = value
  }
  return out
}

const NO_REQUEST = {
  connection: { id: '', connector: '', owner: null, config: {}, credentials: {} },
  caller: { id: null, kind: 'anonymous' as const },
  request: { method: '', path: '', query: {} },
}

function nonEmpty (value: string | undefined): string | undefined {
  const text = value?.trim()
  return text === undefined || text === '' ? undefined : text
}

/**
 * The OTLP exporter reports a failed export only to OpenTelemetry's global diag logger, which
 * latchkey does not register (it is process-wide). One warning a minute instead, with the
 * collector's HTTP status at most: never its answer, which could echo our headers.
 */
class WarningExporter implements SpanExporter {
  #lastWarning = -Infinity

  constructor (private readonly inner: SpanExporter, private readonly logger: Logger) {}

  export (spans: ReadableSpan[], done: (result: ExportResult) => void): void {
    this.inner.export(spans, (result) => {
      if (result.code !== ExportResultCode.SUCCESS && performance.now() - this.#lastWarning > WARN_EVERY_MS) {
        this.#lastWarning = performance.now()
        const status = (result.error as { code?: unknown } | undefined)?.code
        this.logger.warn({ spans: spans.length, ...(typeof status === 'number' ? { status } : {}) }, 'trace export failed: spans dropped')
      }
      done(result)
    })
  }

  shutdown (): Promise<void> { return this.inner.shutdown() }
  forceFlush (): Promise<void> { return this.inner.forceFlush?.() ?? Promise.resolve() }
}
