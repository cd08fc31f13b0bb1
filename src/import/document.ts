/**
 * The part of an OpenAPI 3.x or Swagger 2.0 document the importer reads, in one shape for both:
 * info, servers, security schemes, the top-level security order and the operations. Schemas,
 * parameters and bodies are never read (the dereferenced document may hold cycles there).
 */

export interface ServerVariable {
  default?: string
  enum?: string[]
  description?: string
}

export interface ServerEntry {
  url: string
  variables: Record<string, ServerVariable>
}

export interface OAuthFlow {
  authorizationUrl?: string
  tokenUrl?: string
  scopes: string[]
}

/** Security schemes as OpenAPI 3 has them (Swagger 2.0's are translated). */
export type SecurityScheme =
  | { type: 'apiKey', in: string, name: string, description?: string }
  | { type: 'http', scheme: string, description?: string }
  | { type: 'oauth2', flows: Partial<Record<OAuthFlowName, OAuthFlow>>, description?: string }
  | { type: 'other', kind: string, description?: string }

export type OAuthFlowName = 'authorizationCode' | 'clientCredentials' | 'implicit' | 'password'

export interface Operation {
  /** Upper-case HTTP method. */
  method: string
  /** The path template as the document writes it: `/pets/{petId}`. */
  path: string
  operationId?: string
  tags: string[]
  summary?: string
  description?: string
}

export interface ApiDocument {
  /** `2.0`, `3.0.x` or `3.1.x` */
  version: string
  title?: string
  description?: string
  servers: ServerEntry[]
  /** In document order. */
  securitySchemes: [string, SecurityScheme][]
  /** Scheme names of the top-level `security` requirements, in order, without repeats. */
  securityOrder: string[]
  operations: Operation[]
}

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const

type Json = Record<string, unknown>

const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value)
const text = (value: unknown): string | undefined => typeof value === 'string' ? value : undefined
const optional = <K extends string>(key: K, value: string | undefined): Partial<Record<K, string>> =>
  value === undefined ? {} : { [key]: value } as Record<K, string>

/** The dereferenced document (as the parser validated it) in the importer's shape. */
export function readApiDocument (api: Json): ApiDocument {
  const swagger2 = text(api.swagger) === '2.0'
  const info = isObject(api.info) ? api.info : {}
  return {
    version: swagger2 ? '2.0' : text(api.openapi) ?? '3',
    ...optional('title', text(info.title)),
    ...optional('description', text(info.description)),
    servers: swagger2 ? swagger2Servers(api) : openapiServers(api.servers),
    securitySchemes: swagger2 ? swagger2Schemes(api.securityDefinitions) : openapiSchemes(isObject(api.components) ? api.components.securitySchemes : undefined),
    securityOrder: securityOrder(api.security),
    operations: operations(api.paths),
  }
}

function openapiServers (servers: unknown): ServerEntry[] {
  if (!Array.isArray(servers)) return []
  return servers.filter(isObject).flatMap((server) => {
    const url = text(server.url)
    if (url === undefined) return []
    const variables: Record<string, ServerVariable> = {}
    for (const [name, v] of Object.entries(isObject(server.variables) ? server.variables : {})) {
      if (!isObject(v)) continue
      const values = Array.isArray(v.enum) ? v.enum.filter((e): e is string => typeof e === 'string') : undefined
      variables[name] = {
        ...optional('default', text(v.default)),
        ...optional('description', text(v.description)),
        ...(values === undefined || values.length === 0 ? {} : { enum: values }),
      }
    }
    return [{ url, variables }]
  })
}

/** Swagger 2.0: one server from `schemes` (https preferred), `host` and `basePath`. */
function swagger2Servers (api: Json): ServerEntry[] {
  const host = text(api.host)
  const basePath = text(api.basePath) ?? ''
  if (host === undefined) return basePath === '' ? [] : [{ url: basePath, variables: {} }]
  const schemes = Array.isArray(api.schemes) ? api.schemes.filter((s): s is string => typeof s === 'string') : []
  const scheme = schemes.includes('https') ? 'https' : schemes[0] ?? 'https'
  return [{ url: `${scheme}://${host}${basePath}`, variables: {} }]
}

function openapiSchemes (schemes: unknown): [string, SecurityScheme][] {
  if (!isObject(schemes)) return []
  return Object.entries(schemes).flatMap(([name, s]): [string, SecurityScheme][] => {
    if (!isObject(s)) return []
    const description = optional('description', text(s.description))
    switch (s.type) {
      case 'apiKey':
        return [[name, { type: 'apiKey', in: text(s.in) ?? '', name: text(s.name) ?? '', ...description }]]
      case 'http':
        return [[name, { type: 'http', scheme: (text(s.scheme) ?? '').toLowerCase(), ...description }]]
      case 'oauth2': {
        const flows: Partial<Record<OAuthFlowName, OAuthFlow>> = {}
        const raw = isObject(s.flows) ? s.flows : {}
        for (const flow of ['authorizationCode', 'clientCredentials', 'implicit', 'password'] as const) {
          if (isObject(raw[flow])) flows[flow] = oauthFlow(raw[flow])
        }
        return [[name, { type: 'oauth2', flows, ...description }]]
      }
      default:
        return [[name, { type: 'other', kind: text(s.type) ?? 'unknown', ...description }]]
    }
  })
}

/** Swagger 2.0 `securityDefinitions`: `basic`, `apiKey`, `oauth2` with one `flow`. */
function swagger2Schemes (schemes: unknown): [string, SecurityScheme][] {
  if (!isObject(schemes)) return []
  const flowNames: Record<string, OAuthFlowName> = { accessCode: 'authorizationCode', application: 'clientCredentials', implicit: 'implicit', password: 'password' }
  return Object.entries(schemes).flatMap(([name, s]): [string, SecurityScheme][] => {
    if (!isObject(s)) return []
    const description = optional('description', text(s.description))
    switch (s.type) {
      case 'basic':
        return [[name, { type: 'http', scheme: 'basic', ...description }]]
      case 'apiKey':
        return [[name, { type: 'apiKey', in: text(s.in) ?? '', name: text(s.name) ?? '', ...description }]]
      case 'oauth2': {
        const flow = flowNames[text(s.flow) ?? '']
        return [[name, { type: 'oauth2', flows: flow === undefined ? {} : { [flow]: oauthFlow(s) }, ...description }]]
      }
      default:
        return [[name, { type: 'other', kind: text(s.type) ?? 'unknown', ...description }]]
    }
  })
}

function oauthFlow (flow: Json): OAuthFlow {
  return {
    ...optional('authorizationUrl', text(flow.authorizationUrl)),
    ...optional('tokenUrl', text(flow.tokenUrl)),
    scopes: isObject(flow.scopes) ? Object.keys(flow.scopes) : [],
  }
}

function securityOrder (security: unknown): string[] {
  if (!Array.isArray(security)) return []
  const names = new Set<string>()
  for (const requirement of security) {
    if (isObject(requirement)) for (const name of Object.keys(requirement)) names.add(name)
  }
  return [...names]
}

function operations (paths: unknown): Operation[] {
  if (!isObject(paths)) return []
  const found: Operation[] = []
  for (const [path, item] of Object.entries(paths)) {
    // `x-...` keys are extensions, not paths.
    if (!isObject(item) || path.startsWith('x-')) continue
    for (const method of METHODS) {
      const op = item[method]
      if (!isObject(op)) continue
      const tags = Array.isArray(op.tags) ? op.tags.filter((tag): tag is string => typeof tag === 'string') : []
      found.push({
        method: method.toUpperCase(),
        path,
        tags,
        ...optional('operationId', text(op.operationId)),
        ...optional('summary', text(op.summary)),
        ...optional('description', text(op.description)),
      })
    }
  }
  return found
}
