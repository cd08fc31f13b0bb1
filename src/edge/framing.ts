/**
 * The front door (SPEC 6.3): what is refused about a request before any route sees it, and how
 * a connection is ended when latchkey answers before the caller finished sending.
 * Pure functions over node's request; app.ts calls them from its first hook, and any other
 * server front (a lean data plane) can call the same ones.
 */
import { randomUUID } from 'node:crypto'
import type { IncomingMessage } from 'node:http'
import type { Duplex } from 'node:stream'
import { errorBody, GatewayError } from '../errors.js'

/**
 * Refusals decided by the method and the raw header list alone.
 *
 * - TRACE: an upstream's standard TRACE echo would hand the injected credential back.
 * - Repeated headers: node keeps only the first `Authorization` and `Host`, and joins repeated
 *   `X-Latchkey-Key` values with ", ", so the parsed headers cannot show the repetition. Which
 *   one a server behind us would pick is anybody's guess: refuse instead of guessing.
 *
 * One pass over `rawHeaders` with a length test first: most names are skipped without being
 * read.
 */
export function refuseAtTheDoor (method: string | undefined, rawHeaders: readonly string[]): GatewayError | undefined {
  if (method === 'TRACE') return new GatewayError('method_not_allowed', 'TRACE is not allowed', { headers: { allow: ALLOWED_METHODS } })
  let host = 0
  let authorization = 0
  let key = 0
  for (let i = 0; i < rawHeaders.length; i += 2) {
    const name = rawHeaders[i]!
    switch (name.length) {
      case 4: if (isNamed(name, 'host')) host++; break
      case 13: if (isNamed(name, 'authorization')) authorization++; break
      case 14: if (isNamed(name, 'x-latchkey-key')) key++; break
    }
  }
  if (host > 1) return new GatewayError('invalid_request', 'send Host once')
  if (authorization > 1) return new GatewayError('unauthenticated', 'send Authorization once')
  if (key > 1) return new GatewayError('unauthenticated', 'send X-Latchkey-Key once')
  return undefined
}

/**
 * `name` is `lower` in any case: ASCII letters compared without their case bit, every other
 * character exactly. No lower-case copy of each header name (a string allocated per name, most of
 * this check's cost). Both have the same length (the caller's switch).
 */
function isNamed (name: string, lower: string): boolean {
  for (let i = 0; i < lower.length; i++) {
    const c = name.charCodeAt(i)
    const want = lower.charCodeAt(i)
    // Only a letter may differ by the case bit (0x20): `lower` is lower-case, so `c | 0x20`
    // equals it only for the letter itself or its capital.
    if (c !== want && !(want >= 0x61 && want <= 0x7a && (c | 0x20) === want)) return false
  }
  return true
}

/** Every method but TRACE (and CONNECT, which node never routes to a request handler). */
const ALLOWED_METHODS = 'GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS'

/**
 * True while the caller is still sending a request body that latchkey has not received.
 * An answer sent now must close the connection: the rest of the body would otherwise wait on
 * a keep-alive socket, and a server that reads it as the next request is smuggled into.
 * (node sets `complete` at once for a request without a body; for one with a body, only once
 * its parser has consumed the last byte, which can be after an answer decided in a microtask
 * right after the head: ask again on the next turn before deciding to close.)
 */
export function bodyUnfinished (request: IncomingMessage): boolean {
  return !request.complete
}

export interface ServerTimeouts {
  headers_timeout_ms: number
  request_timeout_ms: number
  keep_alive_timeout_ms: number
}

/**
 * node:http options that enforce the caller-side timeouts. node checks the header and request
 * deadlines on a timer (`connectionsCheckingInterval`, 30 s by default, so a 10 s limit cut a
 * slow client after up to 40 s); once a second keeps them to within a second.
 */
export function serverTimeoutOptions (settings: ServerTimeouts): {
  http: { headersTimeout: number, requestTimeout: number, connectionsCheckingInterval: number }
  keepAliveTimeout: number
  requestTimeout: number
} {
  return {
    http: {
      headersTimeout: settings.headers_timeout_ms,
      requestTimeout: settings.request_timeout_ms,
      connectionsCheckingInterval: CHECK_INTERVAL_MS,
    },
    keepAliveTimeout: settings.keep_alive_timeout_ms,
    // fastify copies its own requestTimeout onto the server after creating it: the same value.
    requestTimeout: settings.request_timeout_ms,
  }
}

const CHECK_INTERVAL_MS = 1_000

/**
 * What node's parser refuses before any route runs (a raw non-ASCII byte in the path, a bad
 * header line, a head too large, a slow client) answered in latchkey's error shape (SPEC 6.5),
 * then the connection closed: after a framing error nothing more on it can be trusted.
 */
export function answerClientError (err: NodeJS.ErrnoException, socket: Duplex): void {
  if (err.code === 'ECONNRESET' || socket.destroyed) return
  if (!socket.writable) {
    socket.destroy()
    return
  }
  const [status, reason, error] = err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
    ? [408, 'Request Timeout', new GatewayError('invalid_request', 'the request was not received in time')]
    : err.code === 'HPE_HEADER_OVERFLOW'
      ? [431, 'Request Header Fields Too Large', new GatewayError('invalid_request', 'the request head is too large')]
      : [400, 'Bad Request', new GatewayError('invalid_request', 'malformed request')]
  const requestId = randomUUID()
  const body = JSON.stringify(errorBody(error, requestId))
  socket.end(`HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
    `X-Request-Id: ${requestId}\r\nConnection: close\r\n\r\n${body}`)
}
