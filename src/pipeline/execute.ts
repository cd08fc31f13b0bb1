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
import { prepareUpstreamRequest, type PrepareInput, type PreparedRequest } from '../proxy/prepare.js'
import type { Runtime } from '../runtime/build.js'
import type { SecretLookup } from '../runtime/secrets.js'
import { runAttempts, type AttemptPlan } from './attempts.js'
import { authorize, type Authorized } from './authorize.js'
import { planBody, type BodyPlan } from './body-policy.js'
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
  if (trace !== null) return traced(request, deps, trace)
  try {
    return run(request, deps)
  } catch (err) {
    return Promise.reject(err)
  }
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

/*
 * The steps, each a function that goes on to the next at once when its own work answered at
 * once (an api-key caller, a request without a body, secrets in memory) and through `then`
 * otherwise. They were one async function: its frame and three awaits cost a promise, a
 * microtask and their closures each, per request, for values that were nearly always there.
 * A step throws (synchronously, or as its promise's rejection) and nothing has been sent.
 */

function run (request: PlaneRequest, deps: PipelineDeps): Promise<void> {
  request.timer.trace?.beginAuth()
  const authorized = authorize(request, deps.rateCounter)
  return authorized instanceof Promise ? authorized.then((a) => withCaller(request, deps, a)) : withCaller(request, deps, authorized)
}

function withCaller (request: PlaneRequest, deps: PipelineDeps, authorized: Authorized): Promise<void> {
  request.timer.trace?.endAuth(authorized.caller)
  const server = deps.runtime().config.server
  const planned = planBody(request, server.body_limit_bytes)
  return planned instanceof Promise ? planned.then((p) => withBody(request, deps, server, authorized, p)) : withBody(request, deps, server, authorized, planned)
}

function withBody (request: PlaneRequest, deps: PipelineDeps, server: ServerSettings, { caller, target }: Authorized, { body, form }: BodyPlan): Promise<void> {
  const { conn, method, timer } = request
  // One shape for every request (no conditional spreads): absent is undefined.
  const input: PrepareInput = {
    conn, caller, method, path: target.path.path, rawQuery: target.rawQuery, headers: request.rawHeaders, trace: timer.trace,
    requestId: request.requestId, form,
  }
  const prepareDeps = { secrets: deps.secrets, upstreams: deps.upstreams, allowPrivate: server.allow_private_upstreams }
  const plan: AttemptPlan = { request, input, prepareDeps, body, timeoutMs: server.upstream_timeout_ms }
  timer.beginAuth()
  const preparing = prepareUpstreamRequest(input, prepareDeps)
  return preparing instanceof Promise ? preparing.then((p) => send(plan, p, server.body_limit_bytes)) : send(plan, preparing, server.body_limit_bytes)
}

function send (plan: AttemptPlan, prepared: PreparedRequest, bodyLimit: number): Promise<void> {
  const { request } = plan
  request.timer.endAuthBeginUpstream()
  request.inspect?.(prepared)
  const template = request.conn.responseBody
  if (template === undefined) return runAttempts(plan, prepared, passThrough(request), nothing)
  return runAttempts(plan, prepared, buffered(request), (answer, answeredAs) => sendTransformed(request, answer, template, answeredAs, bodyLimit))
}

const nothing = (): void => {}

type ServerSettings = ReturnType<PipelineDeps['runtime']>['config']['server']
