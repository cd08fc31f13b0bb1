/**
 * The attempts of one request: an upstream 401 on a token-based method is replayed once with a
 * new token; a status (or transport failure) in the connector's opt-in `retry` is sent again
 * after a short wait. Either only while the body can be sent again. Each answer is judged from
 * its status before the caller sees any of it, so a dropped answer never leaks.
 *
 * How one attempt is sent is the caller's choice (`send`): relayed straight into the caller's
 * response (pass-through.ts) or buffered for a response template (transform.ts). Both call
 * `judge` from the upstream's headers and drop the body unless it says `answer`.
 *
 * Nearly every request is answered by its first attempt, so that one is sent without an async
 * frame: a `then` on the attempt's own promise. Only an attempt judged worth another enters the
 * loop (`again`). The async frame, its awaits and the loop's closure had been about 1.6 KB of
 * the ~21 KB allocated per api_key request (sampling heap profile).
 */
import { setTimeout as sleep } from 'node:timers/promises'
import { GatewayError } from '../errors.js'
import type { RequestTrace, Resend } from '../observability/tracing.js'
import type { UpstreamRequest } from '../proxy/forward.js'
import { prepareUpstreamRequest, type PrepareDeps, type PrepareInput, type PreparedRequest } from '../proxy/prepare.js'
import { canRetry, retryableStatus, retryDelayMs, type RetryPolicy } from '../proxy/retry.js'
import type { MaybePromise, PlaneRequest } from './types.js'

export type Verdict = 'answer' | 'replay' | 'retry'

/** Judges one upstream answer (its status) or transport failure (the error). */
export type Judge = (outcome: number | unknown) => Verdict

/** What an attempt came to: answered (with what `send` produced), or to be sent again. */
export type Sent<T> =
  | { verdict: 'answer', result: T }
  | Resent

type Resent = { verdict: 'replay' | 'retry', retryAfter?: string | string[] | undefined }

/** Sends one attempt. It never throws: a failure is the promise's rejection. */
export type SendAttempt<T> = (upstream: UpstreamRequest, judge: Judge) => Promise<Sent<T>>

export interface AttemptPlan {
  request: PlaneRequest
  input: PrepareInput
  prepareDeps: PrepareDeps
  body: UpstreamRequest['body']
  timeoutMs: number
}

/** What the answered attempt produced, and the request it was prepared as. */
export type Finish<T> = (result: T, prepared: PreparedRequest) => MaybePromise<void>

/**
 * Sends the request (`prepared`, as first prepared) until an attempt is answered, then runs
 * `finish` with its result. Resolves once `finish` is done; rejects with the failure of the
 * last attempt when no attempt could be answered.
 */
export function runAttempts<T> (plan: AttemptPlan, prepared: PreparedRequest, send: SendAttempt<T>, finish: Finish<T>): Promise<void> {
  const attempts = new Attempts(plan, prepared, send, finish)
  return send(attempts.next(), attempts.judge).then(
    (sent) => sent.verdict === 'answer' ? finish(sent.result, attempts.prepared) : attempts.again(sent),
    (err: unknown) => attempts.afterFailure(err))
}

class Attempts<T> {
  prepared: PreparedRequest
  readonly #plan: AttemptPlan
  readonly #send: SendAttempt<T>
  readonly #finish: Finish<T>
  readonly #trace: RequestTrace | null
  readonly #canReplay: boolean
  readonly #retry: RetryPolicy | undefined
  #replayed = false
  #retries = 0
  #attempt = 0
  #resend: Resend | undefined

  constructor (plan: AttemptPlan, prepared: PreparedRequest, send: SendAttempt<T>, finish: Finish<T>) {
    const { conn, method } = plan.request
    this.prepared = prepared
    this.#plan = plan
    this.#send = send
    this.#finish = finish
    this.#trace = plan.request.timer.trace
    this.#canReplay = conn.auth.invalidate !== undefined && (plan.body === null || Buffer.isBuffer(plan.body))
    this.#retry = canRetry(conn.retry, method, plan.body) ? conn.retry : undefined
  }

  readonly judge: Judge = (outcome) => {
    this.#trace?.upstreamDone(outcome)
    if (outcome === 401 && this.#canReplay && !this.#replayed) return 'replay'
    const retry = this.#retry
    if (retry !== undefined && this.#retries < retry.max && retryableStatus(retry, outcome)) return 'retry'
    return 'answer'
  }

  /** The next attempt's upstream request: counted, and in its own span when traced. */
  next (): UpstreamRequest {
    const { prepared } = this
    const { request, body, timeoutMs } = this.#plan
    const upstream: UpstreamRequest = {
      dispatcher: prepared.base.dispatcher, origin: prepared.base.origin, path: prepared.path, method: request.method, headers: prepared.headers, body, timeoutMs,
    }
    this.#attempt++
    return this.#trace === null ? upstream : this.#trace.upstream(upstream, this.#attempt, this.#resend)
  }

  /** The first attempt failed before any answer. */
  afterFailure (err: unknown): Promise<void> {
    return this.again(this.#retryAfter(err))
  }

  /** A failure before any answer: a reset or timeout may be retried like its status; anything else is thrown. */
  #retryAfter (err: unknown): Resent {
    if (this.judge(err) !== 'retry') throw err
    return { verdict: 'retry' }
  }

  /** After an attempt judged worth another: the attempts that follow, until one is answered. */
  async again (sent: Resent): Promise<void> {
    const { request, input, prepareDeps } = this.#plan
    const { conn } = request
    for (;;) {
      this.#resend = sent.verdict
      if (sent.verdict === 'replay') {
        this.#replayed = true
        await conn.auth.invalidate!({ context: this.prepared.context, secrets: this.prepared.secrets, key: `${conn.id}/${conn.methodName}` }, this.prepared.auth)
        this.prepared = await this.#prepare(input, prepareDeps)
      } else {
        this.#retries++
        await sleep(retryDelayMs(this.#retries, sent.retryAfter))
        if (request.respond.gone) throw new GatewayError('upstream_unreachable', 'the caller went away before a retry')
        // A signature carries a nonce and a timestamp: a retry is signed anew, not replayed as sent.
        if (conn.auth.signsRequest === true) this.prepared = await this.#prepare(input, prepareDeps)
      }
      let next: Sent<T>
      try {
        next = await this.#send(this.next(), this.judge)
      } catch (err) {
        next = this.#retryAfter(err)
      }
      if (next.verdict === 'answer') return await this.#finish(next.result, this.prepared)
      sent = next
    }
  }

  async #prepare (input: PrepareInput, deps: PrepareDeps): Promise<PreparedRequest> {
    const prepared = await prepareUpstreamRequest(input, deps)
    this.#plan.request.inspect?.(prepared)
    return prepared
  }
}
