/**
 * `POST /actions/:connection/:entity/:action` (SPEC 7.3): a connector's declared action, run
 * through the same data plane as /proxy (forwardToUpstream). The request is a JSON object
 * `{"params":{},"query":{},"body":...}`; the upstream request uses the action's method and its
 * path template rendered with `params`, checked like a /proxy path before it is forwarded.
 */
import type { Readable } from 'node:stream'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { Caller } from '../callers/types.js'
import { refuseOtherMethods } from '../edge/method-not-allowed.js'
import { GatewayError } from '../errors.js'
import type { CompiledAction, CompiledConnection } from '../runtime/connection.js'
import { isPlainObject, parseActionParams, printable } from './action-params.js'
import { checkForwardPath, checkQueryString } from './path-safety.js'
import { parseCallerQuery } from './query.js'
import { templateContext } from './request-context.js'
import { forwardToUpstream, type ForwardTarget, type ProxyDeps } from './route.js'
import { RequestTimer } from './timing.js'
import { readBoundedBody } from './bounded-body.js'

/** What the caller asked for, validated: nothing here has touched a credential. */
interface ActionCall {
  params: Readonly<Record<string, string>>
  /** Encoded `key=value&...`, in the order given. */
  rawQuery: string
  /** The JSON bytes to send upstream, or null for no body. */
  body: Buffer | null
}

const ENVELOPE_KEYS = new Set(['params', 'query', 'body'])
/** Path templates cannot call get_secret (site 'path'), so they render without secrets. */
const NO_SECRETS: ReadonlyMap<string, string> = new Map()
/** The caller's framing of its JSON envelope; the upstream body is a different one. */
const CONTENT_HEADERS = new Set(['content-type', 'content-length', 'content-encoding', 'transfer-encoding'])
const NOT_JSON = 'the request body must be a JSON object sent as application/json'

export async function actionRoutes (app: FastifyInstance, deps: ProxyDeps): Promise<void> {
  app.removeAllContentTypeParsers()
  // body_limit is read per request: a reload may change it.
  app.addContentTypeParser('application/json', (request: FastifyRequest, payload: Readable) =>
    readJson(payload, request.headers['content-length'], deps.runtime().config.server.body_limit_bytes))
  app.addContentTypeParser('*', (_request, _payload, done) => done(new GatewayError('invalid_request', NOT_JSON), undefined))

  app.post('/actions/:connection/:entity/:action', (request, reply) => runAction(request, reply, deps))
  refuseOtherMethods(app, '/actions/:connection/:entity/:action', ['POST'])
}

async function runAction (request: FastifyRequest, reply: FastifyReply, deps: ProxyDeps): Promise<FastifyReply> {
  const timer = new RequestTimer()
  const route = request.params as { connection: string, entity: string, action: string }
  const runtime = deps.runtime()
  const conn = runtime.connections.get(route.connection) ?? await deps.connections.lookup(route.connection)
  if (conn === undefined) throw new GatewayError('connection_not_found', 'no such connection')
  request.connectionId = conn.id
  const action = findAction(conn, route.entity, route.action)
  // Before any credential work, the caller's included.
  const call = parseActionCall(request.body, action)

  return forwardToUpstream(request, reply, deps, runtime, {
    conn,
    method: action.method,
    target: (caller) => renderTarget(conn, action, call, caller),
    headers: upstreamHeaders(request.raw.rawHeaders, call.body),
    body: call.body,
    timer,
  })
}

function findAction (conn: CompiledConnection, entity: string, name: string): CompiledAction {
  const actions = conn.actions.get(entity)
  if (actions === undefined) {
    throw new GatewayError('not_found', `connector ${conn.connector.slug} has no entity ${printable(entity)}`)
  }
  const action = actions.get(name)
  if (action === undefined) {
    throw new GatewayError('not_found', `entity ${printable(entity)} of connector ${conn.connector.slug} has no action ${printable(name)}`)
  }
  return action
}

function parseActionCall (envelope: unknown, action: CompiledAction): ActionCall {
  if (!isPlainObject(envelope)) throw new GatewayError('invalid_request', NOT_JSON)
  for (const key of Object.keys(envelope)) {
    if (!ENVELOPE_KEYS.has(key)) throw new GatewayError('invalid_request', `unknown field ${printable(key)}: expected params, query and body`)
  }
  return {
    params: parseActionParams(envelope.params, action.params),
    rawQuery: encodeQuery(envelope.query),
    body: envelope.body === undefined ? null : Buffer.from(JSON.stringify(envelope.body), 'utf8'),
  }
}

/** `query`: an object of strings (or numbers), or arrays of them for repeated keys. */
function encodeQuery (query: unknown): string {
  if (query === undefined) return ''
  if (!isPlainObject(query)) throw new GatewayError('invalid_request', 'query must be an object')
  const pairs: string[] = []
  for (const [key, value] of Object.entries(query)) {
    for (const item of Array.isArray(value) ? value : [value]) {
      const text = typeof item === 'string' ? item : typeof item === 'number' && Number.isFinite(item) ? String(item) : undefined
      if (text === undefined) throw new GatewayError('invalid_request', `query.${printable(key)} must be a string or an array of strings`)
      pairs.push(`${encode(key)}=${encode(text)}`)
    }
  }
  return pairs.join('&')
}

const CONTROL = /[\0\r\n]/

function encode (text: string): string {
  if (CONTROL.test(text)) throw new GatewayError('invalid_request', 'query keys and values must not contain NUL, CR or LF')
  try {
    return encodeURIComponent(text)
  } catch {
    // A lone surrogate (JSON allows "\ud800") has no UTF-8 form.
    throw new GatewayError('invalid_request', 'query keys and values must be valid Unicode text')
  }
}

/**
 * The action's path for this caller: rendered with `params` (and the usual context), then held
 * to the same path and query safety as a /proxy request, so no template can leave the base URL.
 * A `?query` written in the action path comes before the caller's query.
 */
function renderTarget (conn: CompiledConnection, action: CompiledAction, call: ActionCall, caller: Caller): ForwardTarget {
  const context = templateContext(conn, caller, action.method, '', parseCallerQuery(call.rawQuery))
  context.params = call.params
  const rendered = action.path.render(context, NO_SECRETS)
  const q = rendered.indexOf('?')
  const path = checkForwardPath(q === -1 ? rendered : rendered.slice(0, q))
  const own = q === -1 ? '' : rendered.slice(q + 1)
  const rawQuery = own === '' ? call.rawQuery : call.rawQuery === '' ? own : `${own}&${call.rawQuery}`
  checkQueryString(rawQuery)
  return { path, rawQuery }
}

/**
 * The caller's headers (header hygiene still runs on them in prepare) without the framing of
 * its envelope, plus that of the upstream body.
 */
function upstreamHeaders (raw: readonly string[], body: Buffer | null): string[] {
  const out: string[] = []
  for (let i = 0; i + 1 < raw.length; i += 2) {
    if (!CONTENT_HEADERS.has(raw[i]!.toLowerCase())) out.push(raw[i]!, raw[i + 1]!)
  }
  if (body !== null) out.push('content-type', 'application/json', 'content-length', String(body.length))
  return out
}

/** The JSON envelope, at most `limit` bytes (413 payload_too_large beyond). */
async function readJson (payload: Readable, declaredLength: string | undefined, limit: number): Promise<unknown> {
  const bytes = await readBoundedBody(payload, declaredLength, limit)
  try {
    return JSON.parse(bytes.toString('utf8')) as unknown
  } catch {
    throw new GatewayError('invalid_request', 'the request body is not valid JSON')
  }
}
