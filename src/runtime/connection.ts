/**
 * A connection compiled for the data plane: every template compiled, the auth method built,
 * the access policy and response filter prepared. Request handlers only read these objects.
 */
import type { ResolvedConnection, ResolvedConnector } from '../config/model.js'
import type { TemplateCompiler } from '../config/semantic.js'
import type { CompiledTemplate } from '../templates/types.js'
import { literalTemplate } from '../templates/engine.js'
import { compileAuthMethod } from '../auth/compile.js'
import type { AuthDeps } from '../auth/types.js'
import type { AuthMethod } from '../auth/types.js'
import { compileAccess, type CompiledAccess } from '../callers/access.js'
import type { RateLimitRule } from '../callers/rate-limit.js'
import { durationMs } from '../config/units.js'
import { requiredParams } from '../proxy/action-params.js'
import { compileResponseHeaderFilter } from '../proxy/header-hygiene.js'
import { compileHostGlobs } from '../proxy/host-guard.js'
import { compileRetry, type RetryPolicy } from '../proxy/retry.js'

export interface CompiledParam {
  readonly name: string
  /** lower-case header name, or the query key as written */
  readonly key: string
  readonly template: CompiledTemplate
  readonly overridable: boolean
}

/** One `capabilities.entities.<entity>.actions.<name>` of the connector (SPEC 7.3). */
export interface CompiledAction {
  readonly method: string
  /** Site 'path': reads `params`, never a credential. */
  readonly path: CompiledTemplate
  /** `params.<name>` the path needs (read without `default` or `is defined`). */
  readonly params: readonly string[]
  /** How a caller's JSON body goes upstream: as JSON, or form-encoded. */
  readonly bodyFormat: 'json' | 'form'
}

export interface CompiledConnection {
  readonly id: string
  readonly connection: ResolvedConnection
  readonly connector: ResolvedConnector
  readonly methodName: string
  readonly auth: AuthMethod
  readonly baseUrl: CompiledTemplate
  /** Set when base_url has no template: parsed once. */
  readonly staticBase: { origin: string, pathname: string } | undefined
  /** Host globs a templated base_url may resolve to. */
  readonly allowedHosts: (host: string) => boolean
  readonly headers: readonly CompiledParam[]
  readonly query: readonly CompiledParam[]
  readonly credentials: ReadonlyArray<readonly [string, CompiledTemplate]>
  readonly access: CompiledAccess
  readonly rateLimit: RateLimitRule | undefined
  /** The connector's opt-in `retry`; undefined when off. */
  readonly retry: RetryPolicy | undefined
  readonly responseHeaders: ReturnType<typeof compileResponseHeaderFilter>
  readonly responseBody: CompiledTemplate | undefined
  readonly responseContentType: string | undefined
  /** Every secret any template of this connection may need, fetched once per request. */
  readonly secrets: readonly string[]
  /** Some template reads `user.`: the request needs a verified user. */
  readonly readsUser: boolean
  /** entity -> action name -> action, for POST /actions. */
  readonly actions: ReadonlyMap<string, ReadonlyMap<string, CompiledAction>>
}

export function compileConnection (connection: ResolvedConnection, connector: ResolvedConnector, deps: AuthDeps): CompiledConnection {
  const compiler: TemplateCompiler = deps.compiler
  const methodConfig = connector.auth.methods[connection.auth]
  if (methodConfig === undefined) throw new Error(`connection ${connection.id}: unknown auth method '${connection.auth}'`)
  const auth = compileAuthMethod(methodConfig, deps)
  const baseUrl = compiler.compile(connector.base_url ?? '', 'base_url')
  const params = (map: ResolvedConnector['headers'], lower: boolean): CompiledParam[] =>
    Object.entries(map ?? {}).map(([name, entry]) => {
      const { value, overridable } = typeof entry === 'string' ? { value: entry, overridable: false } : entry
      return { name, key: lower ? name.toLowerCase() : name, template: compiler.compile(value, 'auth'), overridable: overridable ?? false }
    })
  const headers = params(connector.headers, true)
  const query = params(connector.query, false)
  // YAML credentials are operator templates (`{{ get_secret('x') }}`); a stored connection's
  // came from the admin API or a connect form and are data: never compiled.
  const credentials = Object.entries(connection.credentials ?? {}).map(([name, source]) =>
    [name, connection.source === 'store' ? literalTemplate(source, `connections.${connection.id}.credentials.${name}`) : compiler.compile(source, 'auth')] as const)
  const responseBody = connector.response?.body == null ? undefined : compiler.compile(connector.response.body, 'response')

  const templates = [baseUrl, ...auth.templates, ...headers.map((h) => h.template), ...query.map((q) => q.template),
    ...credentials.map(([, t]) => t), ...(responseBody === undefined ? [] : [responseBody])]
  let staticBase: CompiledConnection['staticBase']
  if (baseUrl.isStatic) {
    const url = new URL(baseUrl.source)
    staticBase = { origin: url.origin, pathname: url.pathname.replace(/\/+$/, '') }
  }
  return {
    id: connection.id,
    connection,
    connector,
    methodName: connection.auth,
    auth,
    baseUrl,
    staticBase,
    allowedHosts: compileHostGlobs(connector.allowed_hosts ?? []),
    headers,
    query,
    credentials,
    access: compileAccess(connection.access),
    retry: compileRetry(connector.retry),
    rateLimit: connection.rate_limit === undefined
      ? undefined
      : { max: connection.rate_limit.max, windowMs: durationMs(connection.rate_limit.window), per: connection.rate_limit.per ?? 'caller' },
    responseHeaders: compileResponseHeaderFilter(connector.response?.remove_headers ?? ['set-cookie']),
    responseBody,
    responseContentType: connector.response?.content_type ?? undefined,
    secrets: [...new Set(templates.flatMap((t) => t.secrets))].sort(),
    // Action paths are left out of `secrets` (none allowed at the path site) and `readsUser`
    // (that is for every request to the connection; an action path reading `user.` refuses
    // other callers when it renders).
    readsUser: templates.some((t) => t.readsUser),
    actions: compileActions(connector, compiler),
  }
}

function compileActions (connector: ResolvedConnector, compiler: TemplateCompiler): CompiledConnection['actions'] {
  const entities = new Map<string, Map<string, CompiledAction>>()
  for (const [entity, config] of Object.entries(connector.capabilities?.entities ?? {})) {
    const actions = new Map<string, CompiledAction>()
    for (const [name, action] of Object.entries(config.actions ?? {})) {
      const path = compiler.compile(action.path, 'path')
      actions.set(name, { method: action.method, path, params: path.isStatic ? [] : requiredParams(action.path), bodyFormat: action.body_format ?? 'json' })
    }
    entities.set(entity, actions)
  }
  return entities
}
