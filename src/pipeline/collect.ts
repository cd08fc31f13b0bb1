/**
 * A Responder that keeps the answer in memory, for the callers of execute() that are not HTTP
 * clients: the connection test and MCP tool calls. At most `limit` bytes are kept; past that,
 * or when the body stalls for `timeoutMs`, the upstream request is stopped (through the same
 * "caller gone" path as a client that hangs up) and the answer says why.
 */
import { Writable } from 'node:stream'
import { GatewayError } from '../errors.js'
import type { OutgoingHeaders } from '../proxy/header-hygiene.js'
import type { Responder } from './types.js'

export interface CollectedAnswer {
  status: number
  headers: OutgoingHeaders
  /** The whole body, or 'too_large' when it passed the limit (the rest was not read). */
  body: Buffer | 'too_large'
}

export class AnswerCollector implements Responder {
  /** Settles once the answer is complete; rejects when its body fails or stalls. */
  readonly answer: Promise<CollectedAnswer>
  #resolve!: (answer: CollectedAnswer) => void
  #reject!: (err: GatewayError) => void
  #gone = false
  #listeners: Array<() => void> = []

  constructor (private readonly limit: number, private readonly timeoutMs: number) {
    this.answer = new Promise((resolve, reject) => { this.#resolve = resolve; this.#reject = reject })
    // An answer nobody awaits (execute failed first) must not be an unhandled rejection.
    this.answer.catch(() => {})
  }

  get gone (): boolean { return this.#gone }

  onGone (listener: () => void): () => void {
    if (this.#gone) {
      listener()
      return () => {}
    }
    this.#listeners.push(listener)
    return () => { this.#listeners = this.#listeners.filter((l) => l !== listener) }
  }

  send (status: number, headers: OutgoingHeaders, body: Buffer): void {
    this.#resolve({ status, headers, body: body.length > this.limit ? 'too_large' : body })
  }

  head (status: number, headers: OutgoingHeaders): Writable {
    const chunks: Buffer[] = []
    let size = 0
    let settled = false
    const settle = (finish: () => void): void => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      finish()
    }
    const timer = setTimeout(() => settle(() => {
      this.#stopUpstream()
      this.#reject(new GatewayError('upstream_timeout', 'the upstream did not answer in time'))
    }), this.timeoutMs)
    const sink = new Writable({
      write: (chunk: Buffer, _encoding, done) => {
        size += chunk.length
        if (size <= this.limit) chunks.push(chunk)
        else settle(() => {
          this.#stopUpstream()
          this.#resolve({ status, headers, body: 'too_large' })
        })
        done()
      },
      final: (done) => {
        settle(() => this.#resolve({ status, headers, body: Buffer.concat(chunks, size) }))
        done()
      },
    })
    // The relay destroys the sink with its error when the upstream fails mid-body (or is stopped
    // here): 'close' reports it; an 'error' without a listener would crash the process.
    sink.on('error', () => {})
    sink.once('close', () => settle(() => this.#reject(new GatewayError('upstream_unreachable', 'the upstream answer was cut off'))))
    return sink
  }

  #stopUpstream (): void {
    this.#gone = true
    const listeners = this.#listeners
    this.#listeners = []
    for (const listener of listeners) listener()
  }
}
