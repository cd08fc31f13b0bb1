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
}

/** Resolves once the answer has begun (a relayed body keeps streaming after that). */
export async function execute (request: PlaneRequest, deps: PipelineDeps): Promise<void> {
  const { conn, method, timer } = request
  const { caller, target } = await authorize(request, deps.rateCounter)
  const server = deps.runtime().config.server
  const { body, form } = await planBody(request, server.body_limit_bytes)
  const input: PrepareInput = {
    conn, caller, method, path: target.path.path, rawQuery: target.rawQuery, headers: request.rawHeaders,
    ...(request.requestId === undefined ? {} : { requestId: request.requestId }),
    ...(form === undefined ? {} : { form }),
  }
  const prepareDeps = { secrets: deps.secrets, upstreams: deps.upstreams, allowPrivate: server.allow_private_upstreams }
  timer.beginAuth()
  const prepared = await prepareUpstreamRequest(input, prepareDeps)
  timer.endAuth()
  request.inspect?.(prepared)

  const plan = { request, input, prepareDeps, prepared, body, timeoutMs: server.upstream_timeout_ms }
  timer.beginUpstream()
  const template = conn.responseBody
  if (template === undefined) {
    await runAttempts(plan, passThrough(request))
    return
  }
  const answered = await runAttempts(plan, buffered(request))
  await sendTransformed(request, answered.result, template, answered.prepared, server.body_limit_bytes)
}
