/** Defaults, units, `extends` merging: raw validated YAML -> LoadedConfig. */
import path from 'node:path'
import { BUILTIN_CONNECTORS } from '../catalog/builtin.js'
import type { ConnectionConfig, ConnectorConfig, RawConfig } from './schema.js'
import type { LoadedConfig, ResolvedConnection, ResolvedConnector, ServerSettings, TracingSettings } from './model.js'
import { durationMs, sizeBytes } from './units.js'

export const DEFAULT_PORT = 8080

export function variablesOf (raw: RawConfig): Record<string, string> {
  return Object.fromEntries(Object.entries(raw.variables ?? {}).map(([k, v]) => [k, String(v)]))
}

export function resolveServer (raw: RawConfig['server'] = {}): ServerSettings {
  const host = raw.host ?? '127.0.0.1'
  const port = raw.port ?? DEFAULT_PORT
  return {
    host,
    port,
    public_url: (raw.public_url ?? `http://localhost:${port}`).replace(/\/+$/, ''),
    upstream_timeout_ms: durationMs(raw.upstream_timeout ?? '15s'),
    token_timeout_ms: durationMs(raw.token_timeout ?? '10s'),
    headers_timeout_ms: durationMs(raw.headers_timeout ?? '10s'),
    request_timeout_ms: durationMs(raw.request_timeout ?? '300s'),
    keep_alive_timeout_ms: durationMs(raw.keep_alive_timeout ?? '72s'),
    body_limit_bytes: sizeBytes(raw.body_limit ?? '10mb'),
    allow_private_upstreams: raw.allow_private_upstreams ?? false,
    metrics_port: raw.metrics_port ?? null,
    log_level: raw.log_level ?? 'info',
    connect: { return_to_origins: raw.connect?.return_to_origins ?? [], browser_binding: raw.connect?.browser_binding ?? true },
    ...(raw.events === undefined ? {} : { events: { url: raw.events.url, secret: raw.events.secret } }),
    tracing: resolveTracing(raw.tracing),
  }
}

function resolveTracing (raw: NonNullable<RawConfig['server']>['tracing'] = {}): TracingSettings {
  return {
    enabled: raw.enabled ?? false,
    ...(raw.endpoint === undefined ? {} : { endpoint: raw.endpoint }),
    ...(raw.service_name === undefined ? {} : { service_name: raw.service_name }),
    ...(raw.sample_ratio === undefined ? {} : { sample_ratio: raw.sample_ratio }),
    headers: raw.headers ?? {},
  }
}

/**
 * A configured connector that `extends` a built-in one: its top-level fields replace the
 * built-in's, except `auth.methods`, `headers` and `query`, which are merged by name.
 */
export function resolveConnector (slug: string, own: ConnectorConfig | undefined, source: 'builtin' | 'config'): ResolvedConnector | undefined {
  const baseSlug = source === 'config' ? own?.extends ?? null : null
  const base = baseSlug === null ? undefined : BUILTIN_CONNECTORS[baseSlug]
  if (baseSlug !== null && base === undefined) return undefined
  const merged: ConnectorConfig = { ...base, ...own }
  if (base !== undefined && own !== undefined) {
    merged.headers = { ...base.headers, ...own.headers }
    merged.query = { ...base.query, ...own.query }
    merged.auth = {
      default: own.auth?.default ?? base.auth?.default,
      methods: { ...base.auth?.methods, ...own.auth?.methods },
    }
  }
  const methods = merged.auth?.methods ?? { none: { type: 'none' as const } }
  const names = Object.keys(methods)
  const { extends: _ignored, auth: _auth, ...rest } = merged
  return {
    ...rest,
    slug,
    source,
    extends: baseSlug,
    visibility: merged.visibility ?? 'private',
    name: merged.name ?? slug,
    response: { ...merged.response, remove_headers: merged.response?.remove_headers ?? ['set-cookie'] },
    auth: { default: merged.auth?.default ?? (names.length === 1 ? names[0]! : ''), methods },
  }
}

/** What a stored connection's record adds to the resolved connection (SPEC 8.1). */
export interface StoredFields {
  created_at: string
  updated_at: string
  status: ResolvedConnection['status']
}

/**
 * One object literal with every key, in one order, for every connection (absent ones are
 * undefined): all resolved connections then share one hidden class. A spread of the raw entry
 * with keys added (`{ ...raw, id, source, ... }`) took V8's slow clone path and gave each
 * connection a map of its own: 9,999 maps for 10,007 connections, so every property read of a
 * connection on the request path was megamorphic, and missed V8's stub cache when requests
 * rotated over many connections.
 */
export function resolveConnection (id: string, raw: ConnectionConfig, connector: ResolvedConnector | undefined, source: 'config' | 'store',
  stored?: StoredFields): ResolvedConnection {
  return {
    id,
    source,
    connector: raw.connector,
    auth: raw.auth ?? connector?.auth.default ?? '',
    owner: raw.owner ?? null,
    config: raw.config ?? {},
    credentials: raw.credentials ?? {},
    // Fail closed: without `access`, nobody may use the connection.
    access: {
      anonymous: raw.access?.anonymous ?? false,
      callers: raw.access?.callers ?? [],
      users: raw.access?.users ?? false,
      ...(raw.access?.allow === undefined ? {} : { allow: raw.access.allow }),
    },
    rate_limit: raw.rate_limit,
    created_at: stored?.created_at,
    updated_at: stored?.updated_at,
    status: stored?.status,
  }
}

export function allConnectors (raw: RawConfig): Map<string, ResolvedConnector> {
  const connectors = new Map<string, ResolvedConnector>()
  for (const [slug, builtin] of Object.entries(BUILTIN_CONNECTORS)) {
    connectors.set(slug, resolveConnector(slug, builtin, 'builtin')!)
  }
  for (const [slug, own] of Object.entries(raw.connectors ?? {})) {
    const resolved = resolveConnector(slug, own, 'config')
    if (resolved !== undefined) connectors.set(slug, resolved)
  }
  return connectors
}

export function resolveConfig (file: string, raw: RawConfig, cwd: string): LoadedConfig {
  const connectors = allConnectors(raw)
  const connections = new Map<string, ResolvedConnection>()
  for (const [id, conn] of Object.entries(raw.connections ?? {})) {
    connections.set(id, resolveConnection(id, conn, connectors.get(conn.connector), 'config'))
  }
  const store = raw.store ?? { type: 'file' as const }
  return {
    file,
    server: resolveServer(raw.server),
    store: store.type === 'file'
      ? { ...store, path: path.resolve(cwd, store.path ?? './data') }
      : { ...store, key_prefix: store.key_prefix ?? 'latchkey:' },
    cache: {
      type: raw.cache?.type ?? 'memory',
      ...(raw.cache?.url === undefined ? {} : { url: raw.cache.url }),
      ...(raw.cache?.cluster_nodes === undefined ? {} : { cluster_nodes: raw.cache.cluster_nodes }),
      key_prefix: raw.cache?.key_prefix ?? 'latchkey:',
    },
    variables: variablesOf(raw),
    callers: raw.callers ?? {},
    connectors,
    connections,
  }
}
