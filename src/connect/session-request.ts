/**
 * The body of `POST /connect/sessions` (SPEC 8), checked against the running config and the
 * caller. Every problem is a 400 invalid_request naming the field, never echoing its value.
 */
import { randomBytes } from 'node:crypto'
import { ID_PATTERN } from '../config/patterns.js'
import type { ResolvedConnector } from '../config/model.js'
import type { Caller } from '../callers/types.js'
import { GatewayError } from '../errors.js'
import { checkReturnTo } from './return-to.js'

export interface SessionRequest {
  connector: ResolvedConnector
  /** Given by the caller, or undefined: one is generated. */
  connection: string | undefined
  owner: string | null
  return_to: string | null
  auth: string | null
}

const FIELDS = new Set(['connector', 'connection', 'owner', 'return_to', 'auth'])
const ID = new RegExp(ID_PATTERN)
/** Owner ids are claim values; this bounds what a session carries. */
const MAX_OWNER_LENGTH = 256

function invalid (problem: string): GatewayError {
  return new GatewayError('invalid_request', `invalid connect session: ${problem}`, { details: { problems: [problem] } })
}

function optionalString (body: Record<string, unknown>, field: string): string | undefined {
  const value = body[field]
  if (value === undefined || value === null) return undefined
  if (typeof value !== 'string' || value === '') throw invalid(`${field}: must be a non-empty string`)
  return value
}

export function parseSessionRequest (body: unknown, caller: Caller, context: { connectors: ReadonlyMap<string, ResolvedConnector>, returnToOrigins: readonly string[] }): SessionRequest {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) throw invalid('body: must be a JSON object')
  const input = body as Record<string, unknown>
  for (const field of Object.keys(input)) if (!FIELDS.has(field)) throw invalid(`${field}: unknown field`)

  const slug = optionalString(input, 'connector')
  if (slug === undefined) throw invalid('connector: required')
  const connector = context.connectors.get(slug)
  if (connector === undefined) throw invalid('connector: unknown connector')

  const connection = optionalString(input, 'connection')
  if (connection !== undefined && !ID.test(connection)) throw invalid(`connection: must match ${ID_PATTERN}`)

  const auth = optionalString(input, 'auth') ?? null
  if (auth !== null) {
    const method = connector.auth.methods[auth]
    if (method === undefined) throw invalid('auth: not an auth method of the connector')
  }

  // A user connects for itself: its owner is its owner claim, and it cannot name another.
  let owner = optionalString(input, 'owner') ?? null
  if (owner !== null && owner.length > MAX_OWNER_LENGTH) throw invalid(`owner: longer than ${MAX_OWNER_LENGTH} characters`)
  if (caller.kind === 'user') {
    if (owner !== null && owner !== caller.id) throw invalid('owner: a user caller may only create sessions for itself')
    owner = caller.id
  }

  const returnTo = optionalString(input, 'return_to')
  let return_to: string | null = null
  if (returnTo !== undefined) {
    const checked = checkReturnTo(returnTo, context.returnToOrigins)
    if (!checked.ok) throw invalid(checked.reason)
    return_to = checked.url.toString()
  }
  return { connector, connection, owner, return_to, auth }
}

const BASE32 = 'abcdefghijklmnopqrstuvwxyz234567'

/** `<connector>-<8 random base32 chars>`, within the 63 characters an id may have. */
export function generateConnectionId (connector: string): string {
  const bytes = randomBytes(8)
  let suffix = ''
  for (const byte of bytes) suffix += BASE32[byte & 31]
  return `${connector.slice(0, 54)}-${suffix}`
}
