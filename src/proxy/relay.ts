/**
 * The pass-through response path: the upstream's body is written straight into the caller's
 * response from undici's dispatch callbacks, with back-pressure (a full response pauses the
 * upstream socket; 'drain' resumes it). No intermediate Readable, no pipe, no end-of-stream
 * watchers: in the api_key bench profile those were the largest cost latchkey added on top of the
 * bare proxy (undici's request() body stream, fastify's pipe and two eos() per response).
 *
 * Semantics match sendUpstream(): the same options, latchkey's own timer for upstream_timeout
 * (deadlines.ts) that stops at the headers, the same error mapping before the headers. After the
 * headers, a failure destroys the caller's response, as a failed pipe does.
 */
import type { Writable } from 'node:stream'
import type { Dispatcher } from 'undici'
import { GatewayError } from '../errors.js'
import { Deadline, Deadlines } from './deadlines.js'
import { CALLER_ABORTED, dispatchOptions, upstreamError, type UpstreamRequest } from './forward.js'

export interface Relay {
  /**
   * Resolves once the upstream's status and headers are in and `onHeaders` has run; rejects with
   * a GatewayError when the request fails before that (nothing has been written to the caller).
   */
  readonly started: Promise<void>
  /**
   * Runs `listener` once the body is relayed (or discarded), with the failure if one came after
   * the headers; at once when that has already happened. One listener per relay: a callback
   * rather than a promise, which cost a promise, its closures and a microtask per request.
   */
  whenFinished (listener: (err: Error | undefined) => void): void
  /** The caller went away: stop the upstream request. */
  abort (): void
}

/**
 * `onHeaders` gets the upstream's status and its raw header lines ([name, value, ...] as
 * Buffers, as undici's parser produced them; header-hygiene.ts reads them) and returns where the
 * body goes: the caller's response (whose head it has written), or null to read and drop the
 * body (a 401 to replay).
 */
export type OnUpstreamHeaders = (statusCode: number, rawHeaders: readonly Buffer[]) => Writable | null

export function relayUpstream (req: UpstreamRequest, onHeaders: OnUpstreamHeaders): Relay {
  const handler = new RelayHandler(onHeaders, req.timeoutMs, req.body)
  req.dispatcher.dispatch(dispatchOptions(req), handler)
  return handler
}

/**
 * Bytes the caller's response may hold before the upstream socket is paused. Pausing at the
 * response's own high-water mark (16 KiB) paused and resumed the upstream on every 64 KiB read
 * (100 MB download: ~0.88x the bare proxy's MB/s); this is the slack undici's body stream gives
 * the piped path. Past it, 'drain' is due (the response is above its high-water mark).
 */
const SLACK = 64 * 1024

/** The error undici is aborted with when upstream_timeout passes before the headers. */
const TIMEOUT = Object.assign(new Error('upstream headers timeout'), { code: 'UND_ERR_HEADERS_TIMEOUT' })

/** upstream_timeout of every relayed request waiting for its headers, on one timer. */
const waitingForHeaders = new Deadlines()

class RelayHandler extends Deadline implements Dispatcher.DispatchHandler, Relay {
  readonly started: Promise<void>
  #resolveStarted!: () => void
  #rejectStarted!: (err: GatewayError) => void
  #finished: ((err: Error | undefined) => void) | undefined
  /** The outcome once finished (`#done`): undefined, or the failure after the headers. */
  #failure: Error | undefined
  readonly #onHeaders: OnUpstreamHeaders
  /** undici's abort for this request, once it is connected. */
  #abortUpstream: ((err?: Error) => void) | undefined
  /** Set when abort() comes before undici connected. */
  #abortReason: Error | undefined
  #headersIn = false
  #done = false
  #sink: Writable | null = null
  #resume: (() => void) | undefined
  /** A 'drain' listener is attached only while the caller's response is full. */
  #waiting = false

  constructor (onHeaders: OnUpstreamHeaders, timeoutMs: number, body: UpstreamRequest['body']) {
    super()
    this.#onHeaders = onHeaders
    this.started = new Promise((resolve, reject) => { this.#resolveStarted = resolve; this.#rejectStarted = reject })
    // undici runs headersTimeout on a coarse timer; latchkey's own enforces upstream_timeout
    // precisely (see sendUpstream), and stops once the headers are in.
    waitingForHeaders.watch(this, timeoutMs)
    // As undici's own request() does: a failing caller upload fails the upstream request. It is
    // the caller's failure (its 'aborted' is an ECONNRESET), not an upstream reset.
    if (body !== null && !Buffer.isBuffer(body)) {
      body.once('error', () => this.#fail(Object.assign(new Error('the caller upload failed'), { code: CALLER_ABORTED })))
    }
  }

  whenFinished (listener: (err: Error | undefined) => void): void {
    if (this.#done) listener(this.#failure)
    else this.#finished = listener
  }

  expire (): void {
    this.#fail(TIMEOUT)
  }

  abort (): void {
    this.#fail(Object.assign(new Error('the caller closed the connection'), { code: CALLER_ABORTED }))
  }

  onConnect (abort: (err?: Error) => void): void {
    if (this.#abortReason !== undefined) abort(this.#abortReason)
    else this.#abortUpstream = abort
  }

  onHeaders (statusCode: number, rawHeaders: Buffer[], resume: () => void): boolean {
    if (statusCode < 200) return true // 1xx: informational, the real answer follows
    waitingForHeaders.clear(this)
    const sink = this.#onHeaders(statusCode, rawHeaders)
    this.#headersIn = true
    this.#sink = sink
    this.#resolveStarted()
    if (sink === null) return true
    this.#resume = resume
    return sink.writableNeedDrain ? this.#pause(sink) : true
  }

  onData (chunk: Buffer): boolean {
    const sink = this.#sink
    if (sink === null || sink.write(chunk) || sink.writableLength < SLACK) return true
    return this.#pause(sink)
  }

  /** Pauses the upstream socket until the caller's response drains. */
  #pause (sink: Writable): false {
    if (!this.#waiting) {
      this.#waiting = true
      sink.once('drain', () => {
        this.#waiting = false
        this.#resume!()
      })
    }
    return false
  }

  onComplete (): void {
    if (this.#done) return
    this.#done = true
    const sink = this.#sink
    if (sink !== null && !sink.destroyed) sink.end()
    this.#finished?.(undefined)
  }

  onError (err: Error): void {
    if (this.#done) return
    this.#done = true
    waitingForHeaders.clear(this)
    if (!this.#headersIn) this.#rejectStarted(upstreamError(this.#abortReason ?? err))
    else this.#sink?.destroy(err)
    this.#failure = err
    this.#finished?.(err)
  }

  /** Stops the upstream request with `reason` (timeout, caller gone, upload failed). */
  #fail (reason: Error): void {
    if (this.#done || this.#abortReason !== undefined) return
    this.#abortReason = reason
    // Not connected yet: onConnect aborts with the reason when undici gets there.
    this.#abortUpstream?.(reason)
  }
}
