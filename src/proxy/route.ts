/**
 * `/proxy/:connection/*`, in the order of SPEC 6.1: resolve connection -> identify caller ->
 * access check -> render -> obtain credential -> apply auth -> forward -> transform response.
 * A request that fails a step never reaches the upstream. Bodies stream both ways.
 * `forwardToUpstream` is the flow from "identify caller" on; /actions (actions.ts) runs it too.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { GatewayError } from '../errors.js'
import { enforceRateLimit, type RateCounter } from '../callers/rate-limit.js'
import type { Caller } from '../callers/types.js'
import type { Runtime } from '../runtime/build.js'
import type { ConnectionService } from '../connections/service.js'
import type { SecretLookup } from '../runtime/secrets.js'
import { sendUpstream, type UpstreamRequest, type Upstreams } from './forward.js'
import { readBoundedBody } from './bounded-body.js'
import { relayUpstream } from './relay.js'
import { canRetry, retryableStatus, retryDelayMs } from './retry.js'
import type { CompiledConnection } from '../runtime/connection.js'
import { filterResponseHeaders, type HeaderSource, type OutgoingHeaders } from './header-hygiene.js'
import { checkForwardPath, checkQueryString, type ForwardPath } from './path-safety.js'
import { prepareUpstreamRequest, type PreparedRequest } from './prepare.js'
import type { IncomingHttpHeaders } from 'node:http'
import type { Readable } from 'node:stream'
import { setTimeout as sleep } from 'node:timers/promises'
import type { Dispatcher } from 'undici'
import { transformResponse } from './response-transform.js'
import { splitProxyUrl } from './target.js'
import { RequestTimer } from './timing.js'
import { bodyUnfinished } from '../edge/framing.js'

export interface ProxyDeps {
  runtime: () => Runtime
  /** Stored connections (YAML ones are in the runtime). */
  connections: Pick<ConnectionService, 'lookup'>
  secrets: SecretLookup
  upstreams: Upstreams
  rateCounter: RateCounter
}

declare module 'fastify' {
  interface FastifyRequest {
    /** Set once the connection is known, for the access log and metrics. */
    connectionId: string | null
    /** Seconds to the upstream's response headers, once known. */
    upstreamSeconds: number | null
    /** The access line and request metric were written (app.ts). */
    accessLogged: boolean
  }
}

export async function proxyRoutes (app: FastifyInstance, deps: ProxyDeps): Promise<void> {
  // The body is streamed to the upstream untouched: no parser may consume it.
  app.removeAllContentTypeParsers()
  app.addContentTypeParser('*', (_request, _payload, done) => done(null, undefined))

  const handler = (request: FastifyRequest, reply: FastifyReply) => proxy(request, reply, deps)
  app.all('/proxy/:connection', handler)
  app.all('/proxy/:connection/*', handler)
}

async function proxy (request: FastifyRequest, reply: FastifyReply, deps: ProxyDeps): Promise<FastifyReply> {
  const timer = new RequestTimer()
  const target = splitProxyUrl(request.raw.url ?? '')
  // Path safety comes before any credential work.
  const path = checkForwardPath(target.rest)
  checkQueryString(target.rawQuery)

  const runtime = deps.runtime()
  const conn = runtime.connections.get(target.connectionId) ?? await deps.connections.lookup(target.connectionId)
  if (conn === undefined) throw new GatewayError('connection_not_found', 'no such connection')
  request.connectionId = conn.id
  return forwardToUpstream(request, reply, deps, runtime, {
    conn,
    method: request.method,
    target: { path, rawQuery: target.rawQuery },
    headers: request.raw.rawHeaders,
    body: CALLER_BODY,
    timer,
  })
}

/** The upstream-relative path (checked by checkForwardPath) and the raw query (checked too). */
export interface ForwardTarget {
  path: ForwardPath
  rawQuery: string
}

/** `body` of a DataPlaneRequest: the caller's own request body, streamed (see replayableBody). */
export const CALLER_BODY = Symbol('caller body')

/** One request of the data plane, once its connection is known. */
export interface DataPlaneRequest {
  conn: CompiledConnection
  /** The upstream method. */
  method: string
  /**
   * Known up front (/proxy), or built for the identified caller (an action renders its path).
   * A function runs only for a caller the connection admits, and must return a checked target.
   */
  target: ForwardTarget | ((caller: Caller) => ForwardTarget)
  /** The caller's headers, before header hygiene. */
  headers: HeaderSource
  /** Bytes latchkey already holds (replayable), none, or the caller's request body. */
  body: Buffer | null | typeof CALLER_BODY
  timer: RequestTimer
}

/**
 * SPEC 6.1 from "identify caller" on, shared by /proxy and /actions: identify -> access check ->
 * rate limit -> user check -> render, obtain credential, apply auth -> forward -> transform.
 */
export async function forwardToUpstream (request: FastifyRequest, reply: FastifyReply, deps: ProxyDeps, runtime: Runtime,
  plane: DataPlaneRequest): Promise<FastifyReply> {
  const { conn, method, timer } = plane
  const caller = await runtime.identify(request.headers)
  let target: ForwardTarget
  if (typeof plane.target === 'function') {
    // Refuse an unadmitted caller before rendering anything for it: check() throws `forbidden`
    // whatever the path when admits() is false.
    if (!conn.access.admits(caller, conn.connection.owner)) conn.access.check(caller, method, '/', conn.connection.owner)
    target = plane.target(caller)
  } else {
    target = plane.target
  }
  const { path } = target
  conn.access.check(caller, method, path.normalized, conn.connection.owner)
  // Only a caller the connection admits learns that it cannot be used yet (SPEC 8.1).
  if (conn.connection.status === 'refresh_failed' || conn.connection.status === 'pending') {
    throw new GatewayError('connection_not_authorized', conn.connection.status === 'pending'
      ? 'the connection is not connected yet: finish connecting it'
      : 'the connection\'s authorization has expired: reconnect it')
  }
  if (conn.rateLimit !== undefined) await enforceRateLimit(deps.rateCounter, conn.id, conn.rateLimit, caller, request.ip)
  if (conn.readsUser && caller.kind !== 'user') {
    throw new GatewayError('user_required', 'this connection needs a signed-in user')
  }

  const config = runtime.config.server
  // A signing method (oauth1) covers the parameters of a form body (RFC 5849 3.4.1.3.1), so that
  // body is read (up to body_limit) before signing, and the same bytes are sent.
  const form = plane.body === CALLER_BODY && conn.auth.signsRequest === true && isFormBody(request.headers)
    ? await readFormBody(request, config.body_limit_bytes)
    : undefined
  const input = {
    conn, caller, method, path: path.path, rawQuery: target.rawQuery, headers: plane.headers, requestId: request.id,
    ...(form === undefined ? {} : { form: form.params }),
  }
  const prepareDeps = { secrets: deps.secrets, upstreams: deps.upstreams, allowPrivate: config.allow_private_upstreams }
  timer.beginAuth()
  let prepared = await prepareUpstreamRequest(input, prepareDeps)
  timer.endAuth()

  // A token-based method may replay once after an upstream 401; that needs the body bytes, so a
  // small body is buffered for those methods. Larger or unsized bodies stream and never replay.
  const body = form !== undefined ? form.bytes
    : plane.body !== CALLER_BODY ? plane.body : conn.auth.tokenBased ? await replayableBody(request) : streamedBody(request)
  const canReplay = conn.auth.invalidate !== undefined && (body === null || Buffer.isBuffer(body))
  const upstreamRequest = (p: PreparedRequest): UpstreamRequest => ({
    dispatcher: p.base.dispatcher,
    origin: p.base.origin,
    path: p.path,
    method,
    headers: p.headers,
    body,
    timeoutMs: config.upstream_timeout_ms,
  })
  // What to do with an upstream answer before the caller sees any of it: a 401 on a token-based
  // method is replayed once with a new token; a status in the connector's `retry` (opt-in) is
  // sent again after a short wait. Either way only while the body can be sent again.
  const retry = canRetry(conn.retry, method, body) ? conn.retry : undefined
  let replayed = false
  let retries = 0
  const decide = (outcome: number | unknown): 'replay' | 'retry' | 'answer' => {
    if (outcome === 401 && canReplay && !replayed) return 'replay'
    if (retry !== undefined && retries < retry.max && retryableStatus(retry, outcome)) return 'retry'
    return 'answer'
  }
  const again = async (step: 'replay' | 'retry', retryAfter?: string | string[]): Promise<void> => {
    if (step === 'replay') {
      replayed = true
      await conn.auth.invalidate!({ context: prepared.context, secrets: prepared.secrets, key: `${conn.id}/${conn.methodName}` }, prepared.auth)
      prepared = await prepareUpstreamRequest(input, prepareDeps)
      return
    }
    retries++
    await sleep(retryDelayMs(retries, retryAfter))
    if (reply.raw.destroyed) throw new GatewayError('upstream_unreachable', 'the caller went away before a retry')
    // A signature carries a nonce and a timestamp: a retry is signed anew, not replayed as sent.
    if (conn.auth.signsRequest === true) prepared = await prepareUpstreamRequest(input, prepareDeps)
  }
  timer.beginUpstream()

  if (conn.responseBody === undefined) {
    // Pass-through: the upstream's body goes straight into the caller's response.
    for (;;) {
      let step: 'replay' | 'retry' | 'answer' = 'answer'
      let retryAfter: string | string[] | undefined
      try {
        await relay(request, reply, upstreamRequest(prepared), conn, timer, (statusCode, headers) => {
          step = decide(statusCode)
          retryAfter = headers['retry-after']
          return step !== 'answer'
        })
      } catch (err) {
        // Nothing reached the caller yet: a reset or timeout may be retried like its status.
        if (decide(err) !== 'retry') throw err
        step = 'retry'
      }
      if (step === 'answer') return reply
      await again(step, retryAfter)
    }
  }

  const abort = new AbortController()
  reply.raw.once('close', () => { if (!reply.raw.writableFinished) abort.abort() })
  let res: Dispatcher.ResponseData
  for (;;) {
    try {
      res = await sendUpstream({ ...upstreamRequest(prepared), abort })
    } catch (err) {
      if (decide(err) !== 'retry') throw err
      await again('retry')
      continue
    }
    const step = decide(res.statusCode)
    if (step === 'answer') break
    await res.body.dump()
    await again(step, res.headers['retry-after'])
  }
  timer.endUpstream()
  request.upstreamSeconds = timer.upstreamSeconds

  const transformed = await transformResponse(res, conn.responseBody, prepared.context, config.body_limit_bytes)
  const contentType = conn.responseContentType ?? firstValue(res.headers['content-type']) ?? 'text/plain; charset=utf-8'
  // A Buffer, so fastify sends the configured content type as written (it appends a charset
  // to application/json strings).
  return reply.code(res.statusCode).header('content-type', contentType).header('server-timing', timer.header()).send(Buffer.from(transformed, 'utf8'))
}

/**
 * Sends one upstream request and relays its response. When `drop` says so for the upstream's
 * status, the body is read and dropped and nothing is sent: it resolves once that is done, and
 * the caller (who decided) sends again. Otherwise it resolves once the head is written (the body
 * keeps streaming; the reply is hijacked, so fastify sends nothing more), or rejects with a
 * GatewayError when nothing could be sent.
 */
async function relay (request: FastifyRequest, reply: FastifyReply, upstream: UpstreamRequest, conn: CompiledConnection,
  timer: RequestTimer, drop: (statusCode: number, headers: IncomingHttpHeaders) => boolean): Promise<void> {
  const res = reply.raw
  let dropped = false
  const relayed = relayUpstream(upstream, (statusCode, headers) => {
    timer.endUpstream()
    request.upstreamSeconds = timer.upstreamSeconds
    if (drop(statusCode, headers)) {
      dropped = true
      return null
    }
    // fastify's headers so far (request id, CORS), then the upstream's filtered ones, then
    // latchkey's own request id and timings, not the upstream's.
    const out: OutgoingHeaders = Object.assign(reply.getHeaders() as OutgoingHeaders,
      filterResponseHeaders(headers as Record<string, string | string[]>, conn.responseHeaders))
    out['x-request-id'] = request.id
    out['server-timing'] = timer.header()
    mergeVary(reply, out)
    // The upstream answered before the caller's body was all in: end the connection after this
    // answer, so the rest of the body is never read as a new request (SPEC 6.3).
    if (bodyUnfinished(request.raw)) out.connection = 'close'
    if (statusCode === 204) {
      // As fastify does for a 204: no body, so no content headers.
      delete out['content-length']
      delete out['content-type']
    }
    res.writeHead(statusCode, out)
    reply.hijack()
    return res
  })
  let callerGone = false
  const onClose = (): void => {
    if (res.writableFinished) return
    callerGone = true
    relayed.abort()
  }
  res.once('close', onClose)
  try {
    await relayed.started
  } catch (err) {
    res.removeListener('close', onClose)
    // Nobody is left to answer: not a failure worth a warning, and nothing to send.
    if (callerGone) {
      reply.hijack()
      return
    }
    throw err
  }
  if (dropped) {
    await relayed.finished
    res.removeListener('close', onClose)
    return
  }
  void relayed.finished.then((err) => {
    // The caller going away is not worth a line; an upstream failing mid-body is.
    if (err !== undefined && !callerGone) request.log.warn({ err: { code: (err as { code?: string }).code } }, 'upstream response failed after its headers were sent')
  })
}

/** Up to this many bytes are buffered so a token-based request can be replayed after a 401. */
export const REPLAY_LIMIT = 1024 * 1024

function streamedBody (request: FastifyRequest): Readable | null {
  const length = request.headers['content-length']
  const has = request.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0')
  return has ? request.raw : null
}

async function replayableBody (request: FastifyRequest): Promise<Buffer | Readable | null> {
  const stream = streamedBody(request)
  const length = Number(request.headers['content-length'])
  if (stream === null || request.headers['transfer-encoding'] !== undefined || !(length <= REPLAY_LIMIT)) return stream
  const chunks: Buffer[] = []
  for await (const chunk of stream) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks)
}

function isFormBody (headers: IncomingHttpHeaders): boolean {
  const type = headers['content-type']?.split(';', 1)[0]!.trim().toLowerCase()
  // An encoded body (gzip...) is not readable as parameters: it streams unsigned like any other.
  const encoding = headers['content-encoding']
  return type === 'application/x-www-form-urlencoded' && (encoding === undefined || encoding.toLowerCase() === 'identity')
}

/**
 * The caller's form body, at most `limit` bytes (413 payload_too_large beyond, before any
 * upstream call), and its parameters decoded as the upstream will decode them.
 */
async function readFormBody (request: FastifyRequest, limit: number): Promise<{ bytes: Buffer | null, params: Array<[string, string]> }> {
  const stream = streamedBody(request)
  if (stream === null) return { bytes: null, params: [] }
  const bytes = await readBoundedBody(stream, request.headers['content-length'], limit)
  return { bytes, params: [...new URLSearchParams(bytes.toString('utf8'))] }
}

/** The upstream's Vary is added to, never replaces, the `Vary: Origin` set for CORS. */
function mergeVary (reply: FastifyReply, out: OutgoingHeaders): void {
  const ours = reply.getHeader('vary')
  if (ours === undefined || out.vary === undefined) return
  out.vary = [String(ours), ...(typeof out.vary === 'string' ? [out.vary] : out.vary)].join(', ')
}

function firstValue (value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value
}
