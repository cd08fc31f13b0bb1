/**
 * The tools a connector contributes, built once per connector object (a reload makes new
 * connector objects, so a WeakMap keyed by them follows the runtime generation) and shared by
 * every connection of it: a listing for thousands of connections only prefixes names.
 */
import type { ResolvedConnector } from '../config/model.js'
import type { CompiledConnection } from '../runtime/connection.js'
import { toolSuffix } from './tool-names.js'

export interface ToolTemplate {
  readonly entity: string
  readonly action: string
  /** `__<entity>_<action>`, made safe. */
  readonly suffix: string
  readonly description: string
  /** A GET or HEAD: an agent may call it without asking. */
  readonly readOnly: boolean
  readonly inputSchema: Readonly<Record<string, unknown>>
}

export interface ConnectorTools {
  readonly tools: readonly ToolTemplate[]
  /** suffix -> tool; a suffix two actions would share (after making names safe) is in neither. */
  readonly bySuffix: ReadonlyMap<string, ToolTemplate>
}

/** Methods whose requests carry a body; the others get no `body` property. */
const BODY_METHODS = new Set(['POST', 'PUT', 'PATCH'])

export function sendsBody (method: string): boolean {
  return BODY_METHODS.has(method)
}

const cache = new WeakMap<ResolvedConnector, ConnectorTools>()

/** `conn`'s connector tools; the connection's actions are its connector's, compiled. */
export function connectorTools (conn: CompiledConnection): ConnectorTools {
  const cached = cache.get(conn.connector)
  if (cached !== undefined) return cached
  const built = buildConnectorTools(conn)
  cache.set(conn.connector, built)
  return built
}

function buildConnectorTools (conn: CompiledConnection): ConnectorTools {
  const { connector } = conn
  const bySuffix = new Map<string, ToolTemplate>()
  const clashing = new Set<string>()
  for (const [entity, actions] of conn.actions) {
    for (const [action, compiled] of actions) {
      const suffix = toolSuffix(entity, action)
      if (bySuffix.has(suffix)) clashing.add(suffix)
      const declared = connector.capabilities?.entities?.[entity]?.actions?.[action]?.description
      bySuffix.set(suffix, {
        entity,
        action,
        suffix,
        description: describe(connector, entity, action, compiled.method, declared),
        readOnly: compiled.method === 'GET' || compiled.method === 'HEAD',
        inputSchema: inputSchema(compiled.params, sendsBody(compiled.method)),
      })
    }
  }
  for (const suffix of clashing) bySuffix.delete(suffix)
  return { tools: [...bySuffix.values()], bySuffix }
}

function describe (connector: ResolvedConnector, entity: string, action: string, method: string, declared: string | undefined): string {
  const name = connector.name ?? connector.slug
  const about = connector.description === undefined ? '' : ` (${connector.description})`
  const what = declared ?? `${action} ${entity}`
  return `${name}${about}: ${what}. Runs ${method} through latchkey with the connection's credentials.`
}

/** SPEC 11: `params` (each path parameter a required string), `query`, and `body` when the method sends one. */
function inputSchema (params: readonly string[], sendsBody: boolean): Record<string, unknown> {
  const properties: Record<string, unknown> = {}
  if (params.length > 0) {
    properties.params = {
      type: 'object',
      properties: Object.fromEntries(params.map((p) => [p, { type: 'string', pattern: '^[A-Za-z0-9._~-]+$' }])),
      required: [...params],
      additionalProperties: false,
    }
  }
  properties.query = {
    type: 'object',
    description: 'query parameters: strings, or arrays of strings for repeated keys',
    additionalProperties: { anyOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }] },
  }
  if (sendsBody) properties.body = { description: 'the JSON body sent to the API' }
  return {
    type: 'object',
    properties,
    ...(params.length > 0 ? { required: ['params'] } : {}),
    additionalProperties: false,
  }
}
