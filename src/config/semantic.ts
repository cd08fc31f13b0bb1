/**
 * Checks the schema cannot express: references between sections, template syntax and site
 * rules, regexes, URLs. Each problem carries the config path it is about.
 */
import { durationMs } from './units.js'
import { compileInputPattern } from '../connections/inputs.js'
import type { CompiledTemplate, TemplateSite } from '../templates/types.js'
import { BUILTIN_CONNECTORS } from '../catalog/builtin.js'
import { checkForwardPath } from '../proxy/path-safety.js'
import { parseJsonPath } from '../text/json-path.js'
import type { ConnectorConfig, RawConfig, WebhookVerifyConfig } from './schema.js'
import { allConnectors } from './resolve.js'
import { templateFields } from './templates.js'
import type { ConfigPath } from './yaml-source.js'

export interface TemplateCompiler {
  compile (source: string, site: TemplateSite): CompiledTemplate
}

export interface PathProblem {
  path: ConfigPath
  at?: 'key' | 'value'
  message: string
}

const ALLOW_RULE = /^(\*|[A-Z]+) (\/\S*)$/
const TEMPLATE_TAG = /\{[{%#]/

export function checkSemantics (raw: RawConfig, compiler: TemplateCompiler): PathProblem[] {
  const problems: PathProblem[] = []
  const report = (path: ConfigPath, message: string, at: 'key' | 'value' = 'value') => problems.push({ path, at, message })

  checkStorage(raw, report)
  checkCallers(raw, report)
  checkConnectors(raw, report)
  checkConnections(raw, report)

  for (const field of templateFields(raw)) {
    try {
      compiler.compile(field.source, field.site)
    } catch (err) {
      const detail = err as { message?: string, line?: number, column?: number }
      const where = typeof detail.line === 'number' ? ` (template line ${detail.line}, column ${detail.column ?? 1})` : ''
      report(field.path, `${detail.message ?? 'invalid template'}${where}`)
    }
  }
  return problems
}

type Report = (path: ConfigPath, message: string, at?: 'key' | 'value') => void

function checkStorage (raw: RawConfig, report: Report): void {
  checkRedisEndpoint('store', raw.store, report)
  checkRedisEndpoint('cache', raw.cache, report)
  if (raw.server?.public_url !== undefined && !isHttpUrl(raw.server.public_url)) report(['server', 'public_url'], 'expected an http(s) URL')
  const { headers_timeout: headers, request_timeout: request } = raw.server ?? {}
  // Node refuses a head deadline past the whole-request one; say so at the key instead.
  if (durationMs(headers ?? '10s') > durationMs(request ?? '300s') && durationMs(request ?? '300s') > 0) {
    report(['server', headers === undefined ? 'request_timeout' : 'headers_timeout'], 'headers_timeout must not exceed request_timeout')
  }
  if (raw.server?.events !== undefined && !isHttpUrl(raw.server.events.url)) report(['server', 'events', 'url'], 'expected an http(s) URL')
  raw.server?.connect?.return_to_origins?.forEach((origin, i) => {
    if (!isOrigin(origin)) report(['server', 'connect', 'return_to_origins', i], 'expected an origin such as https://app.example.com')
  })
}

/** `url` or `cluster_nodes` (exactly one) for type redis, neither otherwise (SPEC 3). */
function checkRedisEndpoint (section: 'store' | 'cache', raw: RawConfig['store'] | RawConfig['cache'], report: Report): void {
  if (raw === undefined) return
  const nodes = raw.cluster_nodes
  if (raw.type !== 'redis') {
    // A cache `url` beside `type: memory` was always tolerated (switching types is one line).
    for (const key of section === 'store' ? ['url', 'cluster_nodes'] as const : ['cluster_nodes'] as const) {
      if (raw[key] !== undefined) report([section, key], `'${key}' is for the redis ${section}`, 'key')
    }
    return
  }
  if ((raw.url === undefined) === (nodes === undefined)) report([section], `the redis ${section} needs exactly one of 'url' or 'cluster_nodes'`)
  if (raw.url !== undefined && !/^rediss?:\/\//.test(raw.url)) report([section, 'url'], 'expected a redis:// or rediss:// URL')
  nodes?.forEach((node, i) => {
    const problem = clusterNodeProblem(node)
    if (problem !== undefined) report([section, 'cluster_nodes', i], problem)
  })
  // A brace in the prefix would become the hash tag of every key (src/redis/keys.ts), putting
  // everything on one slot, or none in common where a script needs one.
  if (nodes !== undefined && raw.key_prefix !== undefined && /[{}]/.test(raw.key_prefix)) {
    report([section, 'key_prefix'], "a key prefix on a Redis Cluster may not contain '{' or '}' (latchkey places the hash tags)")
  }
}

function clusterNodeProblem (node: string): string | undefined {
  let url: URL
  try {
    url = new URL(node)
  } catch {
    return 'expected a redis://host:port URL'
  }
  if (url.protocol !== 'redis:' && url.protocol !== 'rediss:') return 'expected a redis:// or rediss:// URL'
  if (url.hostname === '') return 'expected a redis://host:port URL'
  // A cluster has database 0 only.
  if (url.pathname !== '' && url.pathname !== '/' && url.pathname !== '/0') return 'a Redis Cluster has no databases: drop the /N after the port'
  if (url.search !== '') return 'options in a cluster node URL are not read: give host and port only'
  return undefined
}

function checkCallers (raw: RawConfig, report: Report): void {
  for (const [id, key] of Object.entries(raw.callers?.api_keys ?? {})) {
    if ((key.key === undefined) === (key.key_sha256 === undefined)) {
      report(['callers', 'api_keys', id], "give exactly one of 'key' or 'key_sha256'")
    }
  }
  const jwt = raw.callers?.jwt
  if (jwt !== undefined) {
    if ((jwt.jwks_url === undefined) === (jwt.secret === undefined)) report(['callers', 'jwt'], "give exactly one of 'jwks_url' or 'secret'")
    if (jwt.jwks_url !== undefined && !isHttpUrl(jwt.jwks_url)) report(['callers', 'jwt', 'jwks_url'], 'expected an http(s) URL')
    jwt.algorithms?.forEach((alg, i) => {
      const symmetric = alg.startsWith('HS')
      if (symmetric && jwt.jwks_url !== undefined) report(['callers', 'jwt', 'algorithms', i], `${alg} needs 'secret', not 'jwks_url'`)
      if (!symmetric && jwt.secret !== undefined) report(['callers', 'jwt', 'algorithms', i], `${alg} needs 'jwks_url', not 'secret'`)
    })
  }
  raw.callers?.cors?.origins.forEach((origin, i) => {
    if (origin !== '*' && !isOrigin(origin)) report(['callers', 'cors', 'origins', i], 'expected an origin such as https://app.example.com, or *')
  })
}

function checkConnectors (raw: RawConfig, report: Report): void {
  for (const [slug, connector] of Object.entries(raw.connectors ?? {})) {
    const at = ['connectors', slug]
    if (connector.extends != null && BUILTIN_CONNECTORS[connector.extends] === undefined) {
      report([...at, 'extends'], `unknown built-in connector '${connector.extends}'`)
      continue
    }
    const base = connector.extends == null ? undefined : BUILTIN_CONNECTORS[connector.extends]
    const baseUrl = connector.base_url ?? base?.base_url
    if (baseUrl === undefined) report(at, "missing required key 'base_url'")
    else if (!baseUrl.includes('{') && !isHttpUrl(baseUrl)) report([...at, 'base_url'], 'expected an absolute http(s) URL')
    else if (/[?#]/.test(baseUrl)) report([...at, 'base_url'], "a base URL has no query or fragment: use 'query'")

    const methods = { ...base?.auth?.methods, ...connector.auth?.methods }
    const names = Object.keys(methods)
    const def = connector.auth?.default ?? base?.auth?.default
    if (connector.auth !== undefined && names.length === 0) report([...at, 'auth', 'methods'], 'at least one auth method is needed')
    if (def !== undefined && names.length > 0 && !names.includes(def)) {
      report([...at, 'auth', 'default'], `unknown auth method '${def}' (methods: ${names.join(', ')})`)
    } else if (def === undefined && names.length > 1) {
      report([...at, 'auth'], "several auth methods: name one as 'default'")
    }

    const seen = new Set<string>()
    connector.inputs?.forEach((input, i) => {
      if (seen.has(input.name)) report([...at, 'inputs', i, 'name'], `duplicate input '${input.name}'`)
      seen.add(input.name)
      if (input.pattern !== undefined) {
        try {
          // eslint-disable-next-line no-new
          new RegExp(input.pattern, 'u')
          try {
            compileInputPattern(input.pattern)
          } catch {
            // Server-side checks of typed values run on RE2 (linear time): no backreferences or lookaround.
            report([...at, 'inputs', i, 'pattern'], `pattern uses syntax the linear-time matcher (RE2) does not have (backreferences, lookaround): ${input.pattern}`)
          }
        } catch {
          report([...at, 'inputs', i, 'pattern'], `invalid regular expression: ${input.pattern}`)
        }
      }
    })

    // A path written without a template is known now: one that could never pass the data
    // plane's path safety (SPEC 6.4) is a config mistake, not a request-time 400.
    const checkStaticPath = (path: ConfigPath, source: string) => {
      if (TEMPLATE_TAG.test(source)) return
      try {
        checkForwardPath(source.split('?', 1)[0]!)
      } catch (err) {
        report(path, `path does not stay below the base URL: ${(err as Error).message}`)
      }
    }
    if (connector.test !== undefined) checkStaticPath([...at, 'test', 'path'], connector.test.path)
    for (const key of Object.keys(connector.test?.expect_json ?? {})) {
      try {
        parseJsonPath(key)
      } catch (err) {
        report([...at, 'test', 'expect_json', key], (err as Error).message, 'key')
      }
    }
    if (connector.webhooks !== undefined) checkWebhooks([...at, 'webhooks'], connector.webhooks, report)
    for (const [entity, spec] of Object.entries(connector.capabilities?.entities ?? {})) {
      for (const [action, def] of Object.entries(spec.actions ?? {})) {
        checkStaticPath([...at, 'capabilities', 'entities', entity, 'actions', action, 'path'], def.path)
      }
    }
  }
}

/** SPEC 13: the options each verify type takes; every other one is reported at its key. */
const WEBHOOK_OPTIONS: Record<WebhookVerifyConfig['type'], readonly string[]> = {
  stripe: ['header'],
  slack: ['header', 'timestamp_header'],
  github: [],
  shopify: [],
  standard: [],
  hmac: ['header', 'algorithm', 'encoding', 'prefix'],
  token: ['header', 'field'],
  url_hmac: ['header', 'signed', 'algorithm', 'encoding'],
  jwt: ['header', 'audience'],
}
const TYPED_OPTIONS = ['header', 'timestamp_header', 'algorithm', 'encoding', 'prefix', 'field', 'signed', 'audience'] as const

function checkWebhooks (at: ConfigPath, webhooks: NonNullable<ConnectorConfig['webhooks']>, report: Report): void {
  const verify = webhooks.verify
  const taken = WEBHOOK_OPTIONS[verify.type]
  for (const key of TYPED_OPTIONS) {
    if (verify[key] !== undefined && !taken.includes(key)) report([...at, 'verify', key], `'${key}' is not an option of type ${verify.type}`, 'key')
  }
  if ((verify.type === 'hmac' || verify.type === 'url_hmac') && verify.header === undefined) report([...at, 'verify'], `the ${verify.type} verifier needs 'header'`)
  if (verify.type === 'url_hmac' && verify.signed === undefined) report([...at, 'verify'], "the url_hmac verifier needs 'signed' (url_and_form or body_and_url)")
  if (verify.type === 'token' && (verify.header === undefined) === (verify.field === undefined)) report([...at, 'verify'], "the token verifier needs exactly one of 'header' and 'field'")
  // The captured secret is the only one: a configured one beside it would be a second key.
  if (verify.handshake === 'hook_secret' && verify.secret !== undefined) report([...at, 'verify', 'secret'], "'secret' is not used with handshake hook_secret: the secret is the one its handshake captured", 'key')
  if (verify.handshake !== 'hook_secret' && verify.secret === undefined) report([...at, 'verify'], "'secret' is required (except with handshake hook_secret)")
  // The credential itself is never forwarded with the event.
  const credential = new Set(['authorization', (verify.header ?? 'authorization').toLowerCase()])
  verify.event_headers?.forEach((name, i) => {
    if (credential.has(name.toLowerCase())) report([...at, 'verify', 'event_headers', i], `'${name}' carries the webhook's credential and is never forwarded`)
  })
  const forward = webhooks.forward_to
  if (forward !== undefined && !TEMPLATE_TAG.test(forward) && !isHttpUrl(forward)) report([...at, 'forward_to'], 'expected an absolute http(s) URL')
}

function checkConnections (raw: RawConfig, report: Report): void {
  const connectors = allConnectors(raw)
  const apiKeys = new Set(Object.keys(raw.callers?.api_keys ?? {}))
  for (const [id, conn] of Object.entries(raw.connections ?? {})) {
    const at = ['connections', id]
    const connector = connectors.get(conn.connector)
    if (connector === undefined) {
      report([...at, 'connector'], `unknown connector '${conn.connector}'`)
    } else if (conn.auth !== undefined && connector.auth.methods[conn.auth] === undefined) {
      report([...at, 'auth'], `unknown auth method '${conn.auth}' for connector '${conn.connector}' (methods: ${Object.keys(connector.auth.methods).join(', ')})`)
    }
    conn.access?.callers?.forEach((caller, i) => {
      if (caller !== '*' && !apiKeys.has(caller)) report([...at, 'access', 'callers', i], `unknown api key caller '${caller}'`)
    })
    conn.access?.allow?.forEach((rule, i) => {
      if (!ALLOW_RULE.test(rule)) report([...at, 'access', 'allow', i], `expected 'METHOD /path/glob' (METHOD may be *), got '${rule}'`)
    })
    if (conn.access?.users !== undefined && conn.access.users !== false && raw.callers?.jwt === undefined) {
      report([...at, 'access', 'users'], 'users are admitted but callers.jwt is not configured')
    }
  }
}

function isHttpUrl (value: string): boolean {
  try {
    const url = new URL(value)
    return url.protocol === 'http:' || url.protocol === 'https:'
  } catch {
    return false
  }
}

function isOrigin (value: string): boolean {
  try {
    const url = new URL(value)
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.origin === value.replace(/\/$/, '')
  } catch {
    return false
  }
}
