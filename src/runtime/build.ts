/**
 * The runtime: everything the request handlers read, built from a LoadedConfig in one go and
 * swapped whole on reload. Building fails (and the running runtime stays) when any part of the
 * config cannot be compiled or a secret it needs at load is missing.
 */
import type { LoadedConfig } from '../config/model.js'
import type { TemplateCompiler } from '../config/semantic.js'
import { ConfigError, type ConfigProblem } from '../config/problems.js'
import { apiKeyDigest, apiKeyDigestFromHex, buildApiKeyMatcher } from '../callers/api-keys.js'
import { compileCors, type Cors } from '../callers/cors.js'
import { identifyCaller } from '../callers/identify.js'
import type { Caller } from '../callers/types.js'
import { createUserJwtVerifier, type UserJwtVerifier } from '../callers/user-jwt.js'
import { durationMs } from '../config/units.js'
import type { CompiledTemplate, TemplateContext } from '../templates/types.js'
import { compileConnection, type CompiledConnection } from './connection.js'
import type { AuthDeps } from '../auth/types.js'
import type { SecretLookup } from './secrets.js'
import type { IncomingHttpHeaders } from 'node:http'
import { resolveStored } from '../connections/record.js'
import type { StoredCompiler } from '../connections/registry.js'
import { GatewayError } from '../errors.js'

export interface Runtime extends StoredCompiler {
  readonly config: LoadedConfig
  /** The YAML connections, compiled at load. Stored ones come from the ConnectionRegistry. */
  readonly connections: ReadonlyMap<string, CompiledConnection>
  readonly cors: Cors | undefined
  /** Configured api-key caller ids. */
  readonly apiKeyIds: ReadonlySet<string>
  /** Synchronous unless a user JWT must be verified; always await it outside the data plane. */
  identify (headers: IncomingHttpHeaders): Caller | Promise<Caller>
}

export interface RuntimeDeps {
  compiler: TemplateCompiler
  /** Token service, signing keys, clock: shared across reloads so cached tokens survive them. */
  auth: Omit<AuthDeps, 'compiler'>
  secrets: SecretLookup
  /** A caller key whose secret is not set admits nobody; the operator hears about it here. */
  warn?: (message: string) => void
  /** Whether a connection id is stored: a YAML id that is, is a config problem (SPEC 3). */
  isStored?: (id: string) => Promise<boolean>
}

/** Templates of `callers` are rendered once at load with this context: no request exists yet. */
const LOAD_CONTEXT: TemplateContext = {
  connection: { id: '', connector: '', owner: null, config: {}, credentials: {} },
  caller: { id: null, kind: 'anonymous' },
  request: { method: '', path: '', query: {} },
}

export async function buildRuntime (config: LoadedConfig, deps: RuntimeDeps): Promise<Runtime> {
  const problems: ConfigProblem[] = []
  const fail = (message: string) => problems.push({ file: config.file, line: 1, column: 1, message })
  const renderAtLoad = async (template: CompiledTemplate, where: string): Promise<string | undefined> => {
    try {
      return template.render(LOAD_CONTEXT, await deps.secrets(template.secrets))
    } catch (err) {
      fail(`${where}: ${(err as Error).message}`)
      return undefined
    }
  }

  const keys = []
  const callerTemplates = Object.values(config.callers.api_keys ?? {}).flatMap((e) => e.key === undefined ? [] : [deps.compiler.compile(e.key, 'caller')])
  const present = new Set((await deps.secrets(callerTemplates.flatMap((t) => t.secrets))).keys())
  for (const [id, entry] of Object.entries(config.callers.api_keys ?? {})) {
    if (entry.key_sha256 !== undefined) {
      keys.push({ id, admin: entry.admin ?? false, sha256: apiKeyDigestFromHex(entry.key_sha256) })
      continue
    }
    const template = deps.compiler.compile(entry.key ?? '', 'caller')
    const missing = template.secrets.filter((name) => !present.has(name))
    if (missing.length > 0) {
      deps.warn?.(`callers.api_keys.${id}: secret '${missing[0]}' is not set, so this key admits nobody until it is set (latchkey secrets set ${missing[0]}) and the config is reloaded (kill -HUP ${process.pid})`)
      continue
    }
    const key = await renderAtLoad(template, `callers.api_keys.${id}.key`)
    if (key === '') fail(`callers.api_keys.${id}.key: renders to an empty key`)
    else if (key !== undefined) keys.push({ id, admin: entry.admin ?? false, sha256: apiKeyDigest(key) })
  }

  const jwt = config.callers.jwt
  let userJwt: UserJwtVerifier | undefined
  if (jwt !== undefined) {
    const secret = jwt.secret === undefined ? undefined : await renderAtLoad(deps.compiler.compile(jwt.secret, 'caller'), 'callers.jwt.secret')
    userJwt = createUserJwtVerifier({
      ...(jwt.issuer === undefined ? {} : { issuer: jwt.issuer }),
      ...(jwt.audience === undefined ? {} : { audience: jwt.audience }),
      ...(jwt.jwks_url === undefined ? {} : { jwks_url: jwt.jwks_url }),
      ...(secret === undefined ? {} : { secret }),
      ...(jwt.algorithms === undefined ? {} : { algorithms: jwt.algorithms }),
      ...(jwt.owner_claim === undefined ? {} : { owner_claim: jwt.owner_claim }),
      ...(jwt.clock_tolerance === undefined ? {} : { clock_tolerance_s: durationMs(jwt.clock_tolerance) / 1000 }),
      ...(jwt.require_exp === undefined ? {} : { require_exp: jwt.require_exp }),
    })
  }

  // One deps object for every connection: the auth methods read it on every request, and a copy
  // per connection (a spread with a key added) was a hidden class per connection there too.
  const authDeps = { ...deps.auth, compiler: deps.compiler }
  const connections = new Map<string, CompiledConnection>()
  for (const [id, connection] of config.connections) {
    const connector = config.connectors.get(connection.connector)
    if (connector === undefined) {
      fail(`connections.${id}: unknown connector '${connection.connector}'`)
      continue
    }
    try {
      connections.set(id, compileConnection(connection, connector, authDeps))
    } catch (err) {
      fail(`connections.${id}: ${(err as Error).message}`)
    }
  }
  if (deps.isStored !== undefined) {
    // One existence check per YAML id: the store may hold far more connections than the YAML.
    const ids = [...config.connections.keys()]
    const stored = await Promise.all(ids.map((id) => deps.isStored!(id)))
    ids.forEach((id, i) => {
      if (stored[i] === true) fail(`connections.${id}: a stored connection has this id; rename one (ids must be unique across the YAML and the store)`)
    })
  }
  if (problems.length > 0) throw new ConfigError(problems)

  const apiKeys = keys.length === 0 ? undefined : buildApiKeyMatcher(keys)
  const corsConfig = config.callers.cors
  return {
    config,
    connections,
    cors: corsConfig === undefined
      ? undefined
      : compileCors({ origins: corsConfig.origins, max_age_s: corsConfig.max_age === undefined ? undefined : durationMs(corsConfig.max_age) / 1000 }),
    apiKeyIds: new Set(Object.keys(config.callers.api_keys ?? {})),
    identify: (headers) => identifyCaller(headers, { apiKeys, userJwt }),
    compileStored (record) {
      const connector = config.connectors.get(record.connector)
      if (connector === undefined) throw new GatewayError('connection_not_authorized', 'the connection\'s connector is not configured any more')
      return compileConnection(resolveStored(record, connector), connector, authDeps)
    },
  }
}
