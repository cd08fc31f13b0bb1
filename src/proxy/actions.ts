/**
 * `POST /actions/:connection/:entity/:action` (SPEC 7.3), a route of the lean front: the JSON
 * envelope is read (up to body_limit) and checked (action-call.ts) before any credential work,
 * then the action runs through execute() like a /proxy request, with the action's method and
 * its rendered path.
 */
import type { IncomingMessage } from 'node:http'
import { GatewayError } from '../errors.js'
import type { LeanRoute } from '../edge/lean-front.js'
import { hasBody } from '../pipeline/body-policy.js'
import { execute } from '../pipeline/execute.js'
import { actionHeaders, actionTarget, findAction, NOT_JSON, parseActionCall } from './action-call.js'
import { readBoundedBody } from './bounded-body.js'
import { callerRequest, resolveConnection, type ProxyDeps } from './route.js'

const PREFIX = '/actions/'
const ALLOW = 'POST'

export function actionsRoute (deps: ProxyDeps): LeanRoute {
  return async (exchange) => {
    const { req } = exchange
    const [connectionId, entity, name] = routeParams(req.url ?? '')
    if (req.method !== 'POST') {
      throw new GatewayError('method_not_allowed', `this route takes ${ALLOW}`, { headers: { allow: ALLOW } })
    }
    const runtime = deps.runtime()
    const envelope = await readEnvelope(exchange.req, runtime.config.server.body_limit_bytes)
    const conn = await resolveConnection(runtime, deps.connections, connectionId)
    exchange.connectionId = conn.id
    const action = findAction(conn, entity, name)
    // Before any credential work, the caller's included.
    const call = parseActionCall(envelope, action)
    await execute(callerRequest(exchange, runtime, conn, action.method, (caller) => actionTarget(conn, action, call, caller),
      actionHeaders(req.rawHeaders, call), call.body), deps)
  }
}

/** The three path segments, decoded; anything else under /actions/ is no route. */
function routeParams (url: string): [string, string, string] {
  const q = url.indexOf('?')
  const parts = (q === -1 ? url : url.slice(0, q)).slice(PREFIX.length).split('/')
  if (parts.length !== 3 || parts.some((p) => p === '')) throw new GatewayError('not_found', 'no such route')
  try {
    return parts.map(decodeURIComponent) as [string, string, string]
  } catch {
    throw new GatewayError('invalid_path', 'malformed URL')
  }
}

/** The JSON envelope, at most `limit` bytes (413 payload_too_large beyond); undefined without a body. */
async function readEnvelope (req: IncomingMessage, limit: number): Promise<unknown> {
  if (!hasBody(req.headers)) return undefined
  const type = req.headers['content-type']?.split(';', 1)[0]!.trim().toLowerCase()
  if (type !== 'application/json') throw new GatewayError('invalid_request', NOT_JSON)
  const bytes = await readBoundedBody(req, req.headers['content-length'], limit)
  try {
    return JSON.parse(bytes.toString('utf8')) as unknown
  } catch {
    throw new GatewayError('invalid_request', 'the request body is not valid JSON')
  }
}
