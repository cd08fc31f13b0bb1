/**
 * The loaded configuration: the validated YAML with defaults applied, units converted and
 * connectors resolved against the built-in catalog. Deep-frozen; nothing mutates it.
 */
import type { AccessConfig, AuthMethodConfig, ConnectionConfig, ConnectorConfig, RawConfig } from './schema.js'
import type { StoreConfig } from '../secrets/types.js'

export interface ServerSettings {
  host: string
  port: number
  public_url: string
  upstream_timeout_ms: number
  /** Token endpoint requests: no answer by then -> token_exchange_failed. */
  token_timeout_ms: number
  /** A client that has not sent its whole request head by then is disconnected (SPEC 6.3). */
  headers_timeout_ms: number
  /** A client that has not sent its whole request (head and body) by then gets 408 and is disconnected. */
  request_timeout_ms: number
  /** An idle keep-alive connection from a caller is closed after this. */
  keep_alive_timeout_ms: number
  body_limit_bytes: number
  allow_private_upstreams: boolean
  /** /metrics without auth on this port as well (SPEC 9); null: only the admin-only route. */
  metrics_port: number | null
  log_level: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent'
  connect: { return_to_origins: readonly string[], browser_binding: boolean }
  /** SPEC 8.2: where lifecycle events (and webhooks without forward_to) go; `secret` is a template. */
  events?: { url: string, secret: string }
  tracing: TracingSettings
}

/**
 * `server.tracing` as written: a key left out stays undefined so that the OTEL_* variables can
 * fill it in when the tracer starts (observability/tracing.ts). `headers` values are templates.
 */
export interface TracingSettings {
  enabled: boolean
  endpoint?: string
  service_name?: string
  sample_ratio?: number
  headers: Readonly<Record<string, string>>
}

export interface CacheSettings {
  type: 'memory' | 'redis'
  url?: string
  /** a Redis Cluster instead of `url` (src/redis/connect.ts) */
  cluster_nodes?: readonly string[]
  key_prefix: string
}

export type CallersConfig = NonNullable<RawConfig['callers']>

export interface ResolvedConnector extends Omit<ConnectorConfig, 'auth' | 'extends'> {
  slug: string
  source: 'builtin' | 'config'
  extends: string | null
  auth: { default: string, methods: Readonly<Record<string, AuthMethodConfig>> }
}

export interface ResolvedConnection extends Omit<ConnectionConfig, 'access' | 'auth'> {
  id: string
  source: 'config' | 'store'
  /** The auth method name (connection's choice, else the connector default). */
  auth: string
  access: Required<Omit<AccessConfig, 'allow'>> & { allow?: readonly string[] }
  owner: string | null
  /** Stored connections only (SPEC 8.1). */
  created_at?: string
  updated_at?: string
  status?: 'connected' | 'refresh_failed' | 'pending'
}

export interface LoadedConfig {
  file: string
  server: ServerSettings
  store: StoreConfig
  cache: CacheSettings
  variables: Readonly<Record<string, string>>
  callers: CallersConfig
  connectors: ReadonlyMap<string, ResolvedConnector>
  connections: ReadonlyMap<string, ResolvedConnection>
}
