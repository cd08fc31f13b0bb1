/**
 * `tools/call` (SPEC 11): exactly the POST /actions path (proxy/actions.ts) with the tool's
 * arguments as the `{"params","query","body"}` envelope: checked before any credential work,
 * then execute() for the identified caller, its answer collected in memory (at most body_limit,
 * stall-timed by upstream_timeout). Every outcome is a tool result; latchkey's own errors carry
 * status and code, never more than their (secret-free) message.
 */
import type { Caller } from '../callers/types.js'
import { GatewayError, isGatewayError } from '../errors.js'
import { AnswerCollector, type CollectedAnswer } from '../pipeline/collect.js'
import { execute, type PipelineDeps } from '../pipeline/execute.js'
import { actionHeaders, actionTarget, parseActionCall } from '../proxy/action-call.js'
import { RequestTimer } from '../proxy/timing.js'
import type { ResolvedTool } from './caller-tools.js'
import { sendsBody } from './tool-catalog.js'

/** The result shape of MCP `tools/call`, before the SDK fits it to the client's protocol era. */
export interface ToolResult {
  [key: string]: unknown
  content: Array<{ type: 'text', text: string }>
  structuredContent?: unknown
  isError?: boolean
}

export interface ToolCallContext {
  caller: Caller
  requestId: string
  ip: string
  warn: (fields: Record<string, unknown>, message: string) => void
}

export async function callTool (tool: ResolvedTool, args: unknown, context: ToolCallContext, deps: PipelineDeps): Promise<ToolResult> {
  const { conn, action } = tool
  try {
    const call = parseActionCall(args ?? {}, action)
    if (call.body !== null && !sendsBody(action.method)) {
      throw new GatewayError('invalid_request', `this action is a ${action.method}: it sends no body`)
    }
    const server = deps.runtime().config.server
    const collector = new AnswerCollector(server.body_limit_bytes, server.upstream_timeout_ms)
    const headers = call.body === null ? {} : { 'content-type': call.contentType, 'content-length': String(call.body.length) }
    await execute({
      conn,
      method: action.method,
      target: (caller) => actionTarget(conn, action, call, caller),
      principal: { kind: 'caller', identify: async () => context.caller },
      // None of the MCP request's own headers are meant for the API.
      rawHeaders: actionHeaders([], call),
      headers,
      body: call.body,
      requestId: context.requestId,
      ip: context.ip,
      timer: new RequestTimer(),
      respond: collector,
      warn: context.warn,
    }, deps)
    return answerResult(await collector.answer, server.body_limit_bytes)
  } catch (err) {
    if (!isGatewayError(err)) context.warn({ err }, 'tool call failed')
    return gatewayErrorResult(isGatewayError(err) ? err : new GatewayError('internal_error', 'internal error'))
  }
}

/** The API's answer: its body as text, parsed when JSON, an error at 400 and above. */
function answerResult (answer: CollectedAnswer, limit: number): ToolResult {
  if (answer.body === 'too_large') {
    return { content: [{ type: 'text', text: `${answer.status}: the API's answer is larger than body_limit (${limit} bytes) and was not kept` }], isError: true }
  }
  const text = answer.body.toString('utf8')
  const json = isJson(answer.headers['content-type']) ? parseJson(text) : undefined
  const failed = answer.status >= 400
  return {
    content: [{ type: 'text', text: failed ? `${answer.status}: ${text}` : text }],
    ...(json === undefined ? {} : { structuredContent: json.value }),
    ...(failed ? { isError: true } : {}),
  }
}

/** `403 forbidden: this caller may not use this connection`: the messages are written secret-free. */
export function gatewayErrorResult (err: GatewayError): ToolResult {
  return { content: [{ type: 'text', text: `${err.status} ${err.code}: ${err.message}` }], isError: true }
}

function isJson (contentType: string | string[] | number | undefined): boolean {
  if (typeof contentType !== 'string') return false
  const type = contentType.split(';', 1)[0]!.trim().toLowerCase()
  return type === 'application/json' || type.endsWith('+json')
}

function parseJson (text: string): { value: unknown } | undefined {
  try {
    return { value: JSON.parse(text) as unknown }
  } catch {
    return undefined
  }
}
