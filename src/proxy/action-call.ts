/**
 * A connector action (SPEC 7.3) as an upstream request: the caller's `{"params","query","body"}`
 * checked before any credential work, and the action's path template rendered with `params` for
 * the identified caller, then held to the same path and query safety as a /proxy request.
 * POST /actions (actions.ts) and MCP tool calls both build their requests here.
 */
import type { Caller } from '../callers/types.js'
import { GatewayError } from '../errors.js'
import type { CompiledAction, CompiledConnection } from '../runtime/connection.js'
import type { ForwardTarget } from '../pipeline/types.js'
import { isPlainObject, parseActionParams, printable } from './action-params.js'
import { checkForwardPath, checkQueryString } from './path-safety.js'
import { parseCallerQuery } from './query.js'
import { templateContext } from './request-context.js'
import { encodeForm } from '../text/form-encode.js'

/** What the caller asked for, validated: nothing here has touched a credential. */
export interface ActionCall {
  params: Readonly<Record<string, string>>
  /** Encoded `key=value&...`, in the order given. */
  rawQuery: string
  /** The bytes to send upstream, or null for no body. */
  body: Buffer | null
  /** Their content type (the action's `body_format`). */
  contentType: string
}

const ENVELOPE_KEYS = new Set(['params', 'query', 'body'])
/** Path templates cannot call get_secret (site 'path'), so they render without secrets. */
const NO_SECRETS: ReadonlyMap<string, string> = new Map()
/** The caller's framing of its envelope; the upstream body is a different one. */
const CONTENT_HEADERS = new Set(['content-type', 'content-length', 'content-encoding', 'transfer-encoding'])
export const NOT_JSON = 'the request body must be a JSON object sent as application/json'

export function findAction (conn: CompiledConnection, entity: string, name: string): CompiledAction {
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

export function parseActionCall (envelope: unknown, action: CompiledAction): ActionCall {
  if (!isPlainObject(envelope)) throw new GatewayError('invalid_request', NOT_JSON)
  for (const key of Object.keys(envelope)) {
    if (!ENVELOPE_KEYS.has(key)) throw new GatewayError('invalid_request', `unknown field ${printable(key)}: expected params, query and body`)
  }
  return {
    params: parseActionParams(envelope.params, action.params),
    rawQuery: encodeQuery(envelope.query),
    body: envelope.body === undefined ? null : Buffer.from(encodeBody(envelope.body, action), 'utf8'),
    contentType: action.bodyFormat === 'form' ? FORM_TYPE : JSON_TYPE,
  }
}

const JSON_TYPE = 'application/json'
const FORM_TYPE = 'application/x-www-form-urlencoded'

function encodeBody (body: unknown, action: CompiledAction): string {
  switch (action.bodyFormat) {
    case 'json': return JSON.stringify(body)
    case 'form':
      if (!isPlainObject(body)) throw new GatewayError('invalid_request', 'body must be an object: this action sends its parameters form-encoded')
      try {
        return encodeForm(body)
      } catch {
        // A lone surrogate (JSON allows "\ud800") has no UTF-8 form.
        throw new GatewayError('invalid_request', 'body keys and values must be valid Unicode text')
      }
    default: {
      const unknown: never = action.bodyFormat
      throw new Error(`unknown body format ${String(unknown)}`)
    }
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
export function actionTarget (conn: CompiledConnection, action: CompiledAction, call: ActionCall, caller: Caller): ForwardTarget {
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
export function actionHeaders (raw: readonly string[], call: Pick<ActionCall, 'body' | 'contentType'>): string[] {
  const out: string[] = []
  for (let i = 0; i + 1 < raw.length; i += 2) {
    if (!CONTENT_HEADERS.has(raw[i]!.toLowerCase())) out.push(raw[i]!, raw[i + 1]!)
  }
  if (call.body !== null) out.push('content-type', call.contentType, 'content-length', String(call.body.length))
  return out
}
