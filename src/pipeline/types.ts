/**
 * The data plane as one call: `execute(request)` (execute.ts) runs SPEC 6.1 from "identify
 * caller" to "transform response" for a request whose connection is known, and writes the answer
 * to a `Responder`. Nothing here knows about fastify or node's ServerResponse: /proxy and
 * /actions answer over HTTP, the connection test and MCP collect the answer in memory.
 */
import type { IncomingHttpHeaders } from 'node:http'
import type { Readable, Writable } from 'node:stream'
import type { Caller } from '../callers/types.js'
import type { CompiledConnection } from '../runtime/connection.js'
import type { HeaderSource, OutgoingHeaders } from '../proxy/header-hygiene.js'
import type { ForwardPath } from '../proxy/path-safety.js'
import type { PreparedRequest } from '../proxy/prepare.js'
import type { RequestTimer } from '../proxy/timing.js'

/**
 * What a step returns when it can usually answer at once: an api-key caller, a request without
 * a body, a YAML connection. Awaiting a value that is already there still costs a microtask and
 * a promise per step and request; the pipeline awaits only a real promise (`instanceof Promise`).
 */
export type MaybePromise<T> = T | Promise<T>

/** The upstream-relative path (checked by checkForwardPath) and the raw query (checked too). */
export interface ForwardTarget {
  path: ForwardPath
  rawQuery: string
}

/**
 * Who the request is for. A caller is identified (step 2) and held to the connection's access
 * policy and rate limit. The operator (CLI `connections test`, the admin API, the connect page
 * testing typed credentials) runs a connection's own test request, which no policy applies to:
 * only latchkey's own code can ask for it, never a route handing over caller input.
 */
export type Principal =
  | { readonly kind: 'caller', identify: () => MaybePromise<Caller> }
  | { readonly kind: 'operator' }

export interface PlaneRequest {
  conn: CompiledConnection
  /** The upstream method. */
  method: string
  /**
   * Known up front (/proxy), or built for the identified caller (an action renders its path).
   * A function runs only for a caller the connection admits, and must return a checked target.
   */
  target: ForwardTarget | ((caller: Caller) => ForwardTarget)
  principal: Principal
  /** The caller's headers as sent, before header hygiene. */
  rawHeaders: HeaderSource
  /** The same, parsed: body framing (content-length, transfer-encoding, content-type). */
  headers: IncomingHttpHeaders
  /** Bytes latchkey already holds (replayable), none, or the caller's body stream (framed by `headers`). */
  body: Buffer | null | Readable
  /** latchkey's id of the request, sent upstream as X-Request-Id (none for the connection test). */
  requestId?: string
  /** The caller's address: the rate-limit key of an anonymous caller. */
  ip: string
  timer: RequestTimer
  respond: Responder
  /** Sees each prepared upstream request (the connection test shows it, masked). */
  inspect?: (prepared: PreparedRequest) => void
  /** Something went wrong after the answer began: nobody can be told but the log. */
  warn: (fields: Record<string, unknown>, message: string) => void
}

/** Where the answer goes. */
export interface Responder {
  /**
   * The upstream's answer begins: write `statusCode` and `headers` (already filtered, with
   * latchkey's Server-Timing) and return where its body goes.
   */
  head (statusCode: number, headers: OutgoingHeaders): Writable
  /** A whole answer latchkey made (a response template's). */
  send (statusCode: number, headers: OutgoingHeaders, body: Buffer): void
  /** True once the caller has gone away: a retry is not worth sending. */
  readonly gone: boolean
  /** Runs once if the caller goes away before the answer is complete; returns a remover. */
  onGone (listener: () => void): () => void
}
