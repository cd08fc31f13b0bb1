/**
 * `execute(request)`: SPEC 6.1 from "identify caller" on, for a request whose connection is
 * known. /proxy, /actions, the connection test and MCP tool calls all run through here:
 *
 *   authorize (identify -> access -> status -> rate limit -> user)   authorize.ts
 *   body policy (stream, buffer to replay, or read a form to sign)   body-policy.ts
 *   prepare (render -> obtain credential -> apply auth)              ../proxy/prepare.ts
 *   attempts (401 replay, opt-in retry), each sent by               attempts.ts
 *     relay (pass-through)  or  buffer + transform (5.3)            pass-through.ts, transform.ts
 *
 * A step that fails throws a GatewayError and nothing has reached the upstream; once the answer
 * has begun, failures only reach the log (`request.warn`).
 */
import type { RateCounter } from '../callers/rate-limit.js'
import type { RequestTrace, RequestTracer } from '../observability/tracing.js'
import type { Upstreams } from '../proxy/forward.js'
import { prepareUpstreamRequest, type PrepareInput } from '../proxy/prepare.js'
import type { Runtime } from '../runtime/build.js'
import type { SecretLookup } from '../runtime/secrets.js'
import { runAttempts } from './attempts.js'
import { authorize } from './authorize.js'
import { planBody } from './body-policy.js'
import { passThrough } from './pass-through.js'
import { buffered, sendTransformed } from './transform.js'
import type { PlaneRequest } from './types.js'

export interface PipelineDeps {
  runtime: () => Runtime
  secrets: SecretLookup
  upstreams: Upstreams
  rateCounter: RateCounter
  /** Optional tracing (observability/tracing.ts); absent or off: no spans. */
  tracer?: RequestTracer
}

/** Resolves once the answer has begun (a relayed body keeps streaming after that). */
export function execute (request: PlaneRequest, deps: PipelineDeps): Promise<void> {
  // Tracing off: begin() is null and the request runs as if there were no tracing at all.
  const trace = deps.tracer?.begin(request) ?? null
  return trace === null ? run(request, deps) : traced(request, deps, trace)
}

/** The request inside its span, which ends with the answer (a relayed body's end included). */
async function traced (request: PlaneRequest, deps: PipelineDeps, trace: RequestTrace): Promise<void> {
  request.timer.trace = trace
  try {
    await run(request, deps)
  } catch (err) {
    trace.end(err)
    throw err
  }
  trace.answered(request.conn.responseBody === undefined)
}

async function run (request: PlaneRequest, deps: PipelineDeps): Promise<void> {
  const { conn, method, timer } = request
  timer.trace?.beginAuth()
  const authorized = authorize(request, deps.rateCounter)
  const { caller, target } = authorized instanceof Promise ? await authorized : authorized
  timer.trace?.endAuth(caller)
  const server = deps.runtime().config.server
  const planned = planBody(request, server.body_limit_bytes)
  const { body, form } = planned instanceof Promise ? await planned : planned
  // One shape for every request (no conditional spreads): absent is undefined.
  const input: PrepareInput = {
    conn, caller, method, path: target.path.path, rawQuery: target.rawQuery, headers: request.rawHeaders, trace: timer.trace,
    requestId: request.requestId, form,
  }
  const prepareDeps = { secrets: deps.secrets, upstreams: deps.upstreams, allowPrivate: server.allow_private_upstreams }
  timer.beginAuth()
  const preparing = prepareUpstreamRequest(input, prepareDeps)
  const prepared = preparing instanceof Promise ? await preparing : preparing
  timer.endAuthBeginUpstream()
  request.inspect?.(prepared)

  const plan = { request, input, prepareDeps, prepared, body, timeoutMs: server.upstream_timeout_ms }
  const template = conn.responseBody
  if (template === undefined) {
    await runAttempts(plan, passThrough(request))
    return
  }
  const answered = await runAttempts(plan, buffered(request))
  await sendTransformed(request, answered.result, template, answered.prepared, server.body_limit_bytes)
}
