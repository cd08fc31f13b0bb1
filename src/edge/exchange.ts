/**
 * One request on the lean data plane (lean-front.ts): node's request and response, the request
 * id and timer, and the answer written exactly once, by the pipeline through the Responder
 * interface or here as latchkey's own error. What fastify's hooks do for the control plane is
 * done here for /proxy and /actions: X-Request-Id, CORS headers, Server-Timing, `Connection:
 * close` for an answer that comes before the body, one access line and metric per request.
 */
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http'
import type { Writable } from 'node:stream'
import type { HeaderMap } from '../callers/cors.js'
import { errorBody, GatewayError, isGatewayError } from '../errors.js'
import type { AccessLog } from '../observability/access-log.js'
import { safeRequestId, type OutgoingHeaders } from '../proxy/header-hygiene.js'
import { RequestTimer } from '../proxy/timing.js'
import type { Responder } from '../pipeline/types.js'
import type { Logger } from 'pino'
import { bodyUnfinished } from './framing.js'

export interface ExchangeDeps {
  accessLog: AccessLog
  logger: Logger
}

const JSON_TYPE = 'application/json; charset=utf-8'

export class HttpExchange implements Responder {
  readonly id: string
  /**
   * `req.headers`, read once: node's getter behind it (symbol-keyed loads) was megamorphic at
   * every place latchkey read it, ~700 instructions a read (callgrind).
   */
  readonly headers: IncomingHttpHeaders
  readonly timer = new RequestTimer()
  /** Set once the connection is known, for the access line and metrics. */
  connectionId: string | null = null
  /** CORS headers every answer carries (door.ts). */
  cors: HeaderMap | undefined
  #goneListeners: Array<() => void> | undefined
  #gone = false

  constructor (readonly req: IncomingMessage, readonly res: ServerResponse, private readonly deps: ExchangeDeps) {
    this.headers = req.headers
    this.id = safeRequestId(this.headers['x-request-id'])
    // A response closes once: `on` spares the wrapper `once` builds around the listener.
    res.on('close', () => {
      const aborted = !res.writableFinished
      if (aborted) {
        this.#gone = true
        const listeners = this.#goneListeners
        this.#goneListeners = undefined
        if (listeners !== undefined) for (const listener of listeners) listener()
      }
      deps.accessLog({
        reqId: this.id,
        method: req.method,
        connection: this.connectionId,
        status: res.statusCode,
        ms: this.timer.elapsedMs(),
        upstreamSeconds: this.timer.upstreamSeconds,
        aborted,
      })
    })
  }

  get gone (): boolean { return this.#gone }

  /** A line about this request for something nobody else can be told (the answer has begun). */
  readonly warn = (fields: Record<string, unknown>, message: string): void => {
    this.deps.logger.warn({ reqId: this.id, ...fields }, message)
  }

  onGone (listener: () => void): () => void {
    if (this.#gone) {
      listener()
      return noop
    }
    (this.#goneListeners ??= []).push(listener)
    return () => {
      const listeners = this.#goneListeners
      if (listeners === undefined) return
      const at = listeners.indexOf(listener)
      if (at !== -1) listeners.splice(at, 1)
    }
  }

  head (statusCode: number, headers: OutgoingHeaders): Writable {
    this.#finishHeaders(headers)
    // The upstream answered before the caller's body was all in: end the connection after this
    // answer, so the rest of the body is never read as a new request (SPEC 6.3).
    if (bodyUnfinished(this.req)) headers.connection = 'close'
    if (statusCode === 204) {
      // No body, so no content headers.
      delete headers['content-length']
      delete headers['content-type']
    }
    this.res.writeHead(statusCode, headers)
    return this.res
  }

  send (statusCode: number, headers: OutgoingHeaders, body: Buffer): void {
    this.#finishHeaders(headers)
    if (statusCode !== 204) headers['content-length'] = String(body.length)
    this.#whenBodyKnown(() => {
      if (bodyUnfinished(this.req)) headers.connection = 'close'
      this.res.writeHead(statusCode, headers)
      this.res.end(body)
    })
  }

  /** An allowed CORS preflight: 204 with its headers. */
  preflight (headers: HeaderMap): void {
    this.send(204, { ...headers }, EMPTY)
  }

  /** latchkey's own error answer (SPEC 6.5), unless the answer has begun or nobody is left. */
  fail (err: unknown, extraHeaders?: HeaderMap): void {
    const error = toGatewayError(err)
    if (!isGatewayError(err)) this.deps.logger.error({ reqId: this.id, err }, 'unexpected error')
    else if (error.status >= 500 && !this.#gone) this.deps.logger.warn({ reqId: this.id, code: error.code, reason: error.message }, 'request failed')
    if (this.res.headersSent) {
      this.res.destroy()
      return
    }
    if (this.#gone) return
    const headers: OutgoingHeaders = { 'content-type': JSON_TYPE, 'server-timing': this.timer.header(), ...extraHeaders, ...error.headers }
    this.send(error.status, headers, Buffer.from(JSON.stringify(errorBody(error, this.id))))
  }

  #finishHeaders (headers: OutgoingHeaders): void {
    headers['x-request-id'] = this.id
    const cors = this.cors
    if (cors === undefined) return
    for (const name in cors) {
      // The upstream's Vary is added to, never replaced by, the `Vary: Origin` of CORS.
      const theirs = headers[name]
      headers[name] = name === 'vary' && theirs !== undefined ? [cors[name]!, ...(Array.isArray(theirs) ? theirs : [theirs])].join(', ') : cors[name]!
    }
  }

  /**
   * node runs microtasks between its parser's callbacks, so an answer decided right after the
   * head can come before the parser has even seen the body bytes of the same packet. Asking
   * again once the current input is parsed keeps keep-alive for complete requests.
   */
  #whenBodyKnown (write: () => void): void {
    if (!bodyUnfinished(this.req)) write()
    else setImmediate(write)
  }
}

const EMPTY = Buffer.alloc(0)
const noop = (): void => {}

function toGatewayError (err: unknown): GatewayError {
  return isGatewayError(err) ? err : new GatewayError('internal_error', 'internal error')
}
