/**
 * The attempts of one request, in one loop: an upstream 401 on a token-based method is replayed
 * once with a new token; a status (or transport failure) in the connector's opt-in `retry` is
 * sent again after a short wait. Either only while the body can be sent again. Each answer is
 * judged from its status before the caller sees any of it, so a dropped answer never leaks.
 *
 * How one attempt is sent is the caller's choice (`send`): relayed straight into the caller's
 * response (pass-through.ts) or buffered for a response template (transform.ts). Both call
 * `judge` from the upstream's headers and drop the body unless it says `answer`.
 */
import { setTimeout as sleep } from 'node:timers/promises'
import { GatewayError } from '../errors.js'
import type { Resend } from '../observability/tracing.js'
import type { UpstreamRequest } from '../proxy/forward.js'
import { prepareUpstreamRequest, type PrepareDeps, type PrepareInput, type PreparedRequest } from '../proxy/prepare.js'
import { canRetry, retryableStatus, retryDelayMs } from '../proxy/retry.js'
import type { PlaneRequest } from './types.js'

export type Verdict = 'answer' | 'replay' | 'retry'

/** Judges one upstream answer (its status) or transport failure (the error). */
export type Judge = (outcome: number | unknown) => Verdict

/** What an attempt came to: answered (with what `send` produced), or to be sent again. */
export type Sent<T> =
  | { verdict: 'answer', result: T }
  | { verdict: 'replay' | 'retry', retryAfter?: string | string[] | undefined }

export type SendAttempt<T> = (upstream: UpstreamRequest, judge: Judge) => Promise<Sent<T>>

export interface AttemptPlan {
  request: PlaneRequest
  input: PrepareInput
  prepareDeps: PrepareDeps
  prepared: PreparedRequest
  body: UpstreamRequest['body']
  timeoutMs: number
}

/** Resolves with the answered attempt's result and the request it was prepared as. */
export async function runAttempts<T> (plan: AttemptPlan, send: SendAttempt<T>): Promise<{ result: T, prepared: PreparedRequest }> {
  const { request, input, prepareDeps, body } = plan
  const { conn, method } = request
  const canReplay = conn.auth.invalidate !== undefined && (body === null || Buffer.isBuffer(body))
  const retry = canRetry(conn.retry, method, body) ? conn.retry : undefined
  let prepared = plan.prepared
  let replayed = false
  let retries = 0
  const trace = request.timer.trace
  let attempt = 0
  let resend: Resend | undefined
  const judge: Judge = (outcome) => {
    trace?.upstreamDone(outcome)
    if (outcome === 401 && canReplay && !replayed) return 'replay'
    if (retry !== undefined && retries < retry.max && retryableStatus(retry, outcome)) return 'retry'
    return 'answer'
  }
  for (;;) {
    let sent: Sent<T>
    try {
      const upstream = upstreamRequest(prepared, method, body, plan.timeoutMs)
      attempt++
      sent = await send(trace === null ? upstream : trace.upstream(upstream, attempt, resend), judge)
    } catch (err) {
      // Nothing reached the caller yet: a reset or timeout may be retried like its status.
      if (judge(err) !== 'retry') throw err
      sent = { verdict: 'retry' }
    }
    if (sent.verdict === 'answer') return { result: sent.result, prepared }
    resend = sent.verdict
    if (sent.verdict === 'replay') {
      replayed = true
      await conn.auth.invalidate!({ context: prepared.context, secrets: prepared.secrets, key: `${conn.id}/${conn.methodName}` }, prepared.auth)
      prepared = await prepare(plan, input, prepareDeps)
      continue
    }
    retries++
    await sleep(retryDelayMs(retries, sent.retryAfter))
    if (request.respond.gone) throw new GatewayError('upstream_unreachable', 'the caller went away before a retry')
    // A signature carries a nonce and a timestamp: a retry is signed anew, not replayed as sent.
    if (conn.auth.signsRequest === true) prepared = await prepare(plan, input, prepareDeps)
  }
}

async function prepare (plan: AttemptPlan, input: PrepareInput, deps: PrepareDeps): Promise<PreparedRequest> {
  const prepared = await prepareUpstreamRequest(input, deps)
  plan.request.inspect?.(prepared)
  return prepared
}

function upstreamRequest (p: PreparedRequest, method: string, body: UpstreamRequest['body'], timeoutMs: number): UpstreamRequest {
  return { dispatcher: p.base.dispatcher, origin: p.base.origin, path: p.path, method, headers: p.headers, body, timeoutMs }
}
