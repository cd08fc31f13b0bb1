/**
 * Assembles a gateway from a config file: config, master key, sealed store, runtime, fastify app.
 * Used by `latchkey start` and by the integration tests, so both run the same wiring.
 */
import type { FastifyInstance } from 'fastify'
import { buildApp } from './app.js'
import { loadGatewayConfig } from './config/load-with-templates.js'
import type { LoadedConfig } from './config/model.js'
import { ConfigError } from './config/problems.js'
import { createLogger, type Logger } from './observability/logger.js'
import { createUpstreams, type Upstreams } from './proxy/forward.js'
import { testConnectionById, type ConnectionTestResult } from './proxy/connection-test.js'
import { ConnectionRepository } from './connections/repository.js'
import { ConnectionRegistry } from './connections/registry.js'
import { createConnectionService, type ConnectionService } from './connections/service.js'
import { storedOAuth2Tokens } from './connections/oauth2-tokens.js'
import { buildRuntime, type Runtime } from './runtime/build.js'
import { secretLookup, type SecretLookup } from './runtime/secrets.js'
import { openSealedStore } from './secrets/open-store.js'
import { resolveMasterKey } from './secrets/master-key.js'
import type { SealedStore } from './secrets/types.js'
import type { TemplateEngine } from './templates/engine.js'
import type { DestinationStream } from 'pino'
import { SigningKeys } from './auth/jwt-signing.js'
import { tokenKeyer } from './tokens/cache-key.js'
import { openTokenCache } from './tokens/open.js'
import { createMetrics } from './observability/metrics.js'
import { listenMetrics, type MetricsListener } from './observability/metrics-listener.js'
import { openSessionStore } from './connect/open-sessions.js'
import { openEvents, type Events, type EventsOptions } from './events/open.js'
import { openTracing } from './observability/tracing.js'

export interface GatewayOptions {
  configFile: string
  env?: NodeJS.ProcessEnv
  cwd?: string
  /** Log destination (tests capture it); stdout by default. */
  logDestination?: DestinationStream
  /** Millisecond clock for templates (`now()`); tests inject one. */
  clock?: () => number
  /** Event delivery timings (tests); the defaults are SPEC 8.2's schedule. */
  events?: EventsOptions['delivery']
}

export interface Gateway {
  readonly app: FastifyInstance
  readonly logger: Logger
  readonly store: SealedStore
  readonly secrets: SecretLookup
  readonly upstreams: Upstreams
  /** Compiles templates against the current config's variables. */
  readonly compiler: TemplateEngine
  /** YAML and stored connections: lookup, create, replace, delete. */
  readonly connections: ConnectionService
  /** Lifecycle events and forwarded webhooks: the queue and its deliverer (SPEC 8.2, 13). */
  readonly events: Events
  runtime (): Runtime
  /** The connector's test request for one connection (CLI, admin API). */
  testConnection (id: string): Promise<ConnectionTestResult>
  /** Re-reads the config file; on any problem throws ConfigError and keeps the running runtime. */
  reload (): Promise<void>
  /** With `server.metrics_port`: serve /metrics there without auth; its URL, or null when unset. Closed by close(). */
  listenMetrics (): Promise<string | null>
  close (): Promise<void>
}

/** Settings that shape open resources (store, cache, the tracer): a reload that changes one is refused. */
const RESTART_SETTINGS: ReadonlyArray<readonly [string, (config: LoadedConfig) => unknown]> = [
  ['store', (config) => config.store],
  ['cache', (config) => config.cache],
  ['server.tracing', (config) => config.server.tracing],
]

export async function createGateway (options: GatewayOptions): Promise<Gateway> {
  const env = options.env ?? process.env
  const cwd = options.cwd ?? process.cwd()
  const { config, engine } = await loadGatewayConfig(options.configFile, env, cwd, options.clock)
  const logger = createLogger({ level: config.server.log_level, ...(options.logDestination === undefined ? {} : { destination: options.logDestination }) })
  const key = await resolveMasterKey({ env, store: config.store, warn: (message) => logger.warn(message) })
  // Before the store, which counts its Redis connection errors in it.
  const metrics = createMetrics()
  const store = await openSealedStore(config.store, key, { redisError: metrics.redisError })
  const secrets = secretLookup(store)
  // Off unless server.tracing.enabled: then no @opentelemetry module is ever loaded.
  const tracer = await openTracing(config.server.tracing, { env, compiler: engine, secrets, logger }).catch(async (err: unknown) => {
    await store.close()
    throw err
  })
  const upstreams = createUpstreams({ allowPrivate: config.server.allow_private_upstreams })
  const cache = await openTokenCache(config, key, logger, options.clock, tracer.tokenEvents(metrics.tokenEvents))
  const repository = new ConnectionRepository(store)
  // SPEC 8.2, 13: the event queue beside the cache. It reads the runtime and compiler declared
  // below only once delivery starts, when the gateway is assembled.
  const events = await openEvents({
    cache: config.cache,
    settings: () => runtime.config.server.events,
    compiler: () => compiler,
    secrets,
    logger,
    metrics,
    now: options.clock ?? Date.now,
    allowPrivate: config.server.allow_private_upstreams,
    ...(options.events === undefined ? {} : { delivery: options.events }),
  })
  // The registry is made below; a refresh that changed a record drops this process's copy.
  let registry: ConnectionRegistry | undefined
  const auth = {
    oauth2Tokens: storedOAuth2Tokens(repository, (id) => registry?.forget(id), options.clock, events.sink),
    tokens: cache.tokens,
    tokenKey: tokenKeyer(key.bytes),
    tokenDispatcher: (templated: boolean) => templated ? upstreams.guarded : upstreams.trusted,
    tokenTimeoutMs: config.server.token_timeout_ms,
    now: options.clock ?? Date.now,
    signingKeys: new SigningKeys(),
    tokenRefreshed: tracer.tokenRefreshed(metrics.tokenRefreshed),
  }

  const isStored = (id: string) => store.has('connection', id)
  let runtime: Runtime
  try {
    runtime = await buildRuntime(config, { compiler: engine, secrets, auth, isStored, warn: (message) => logger.warn(message) })
  } catch (err) {
    await events.close()
    await store.close()
    await cache.close()
    await upstreams.close()
    await tracer.shutdown()
    throw err
  }
  let compiler = engine
  const reload = async (): Promise<void> => {
    const next = await loadGatewayConfig(options.configFile, env, cwd, options.clock)
    for (const [part, read] of RESTART_SETTINGS) {
      if (JSON.stringify(read(next.config)) !== JSON.stringify(read(config))) {
        throw new ConfigError([{ file: options.configFile, line: 1, column: 1, message: `${part}: changes need a restart` }])
      }
    }
    runtime = await buildRuntime(next.config, { compiler: next.engine, secrets, auth, isStored, warn: (message) => logger.warn(message) })
    compiler = next.engine
    logger.info({ connections: runtime.connections.size }, 'configuration reloaded')
  }

  registry = new ConnectionRegistry({ repository, watch: store.watch?.bind(store) })
  const connections = createConnectionService({ runtime: () => runtime, repository, registry, events: events.sink, ...(options.clock === undefined ? {} : { now: options.clock }) })
  const testDeps = { runtime: () => runtime, compiler: () => compiler, secrets, upstreams, rateCounter: cache.rateCounter, lookup: connections.lookup }
  const testConnection = (id: string) => testConnectionById(testDeps, id)

  // Connect flow (SPEC 8): sessions in the cache (memory or Redis), closed with the gateway.
  const sessions = await openSessionStore(config, logger, options.clock, metrics.redisError)

  const app = await buildApp({
    logger,
    metrics,
    runtime: () => runtime,
    secrets,
    upstreams,
    connections,
    rateCounter: cache.rateCounter,
    tracer,
    health: {
      checks: {
        config: async () => {},
        store: () => store.ping(),
        ...(cache.ping === undefined ? {} : { cache: cache.ping }),
      },
    },
    // The test runs against the gateway assembled below, as `connections test` does.
    admin: { reload, testConnection, connections },
    connect: { sessions, connections, test: { compiler: () => compiler, secrets, upstreams, rateCounter: cache.rateCounter }, now: options.clock ?? Date.now },
    events: { runtime: () => runtime, connections, compiler: () => compiler, secrets, store, events, now: options.clock ?? Date.now },
    // SPEC 11: tools from the connections a caller may use, called through the data plane.
    mcp: { runtime: () => runtime, secrets, upstreams, rateCounter: cache.rateCounter, connections, tracer },
  })
  events.start()

  let metricsListener: MetricsListener | undefined
  const gateway: Gateway = {
    app,
    logger,
    store,
    secrets,
    upstreams,
    connections,
    events,
    testConnection,
    get compiler () { return compiler },
    runtime: () => runtime,
    reload,
    async listenMetrics () {
      const port = config.server.metrics_port
      if (port === null) return null
      metricsListener ??= await listenMetrics(metrics, config.server.host, port)
      return metricsListener.url
    },
    async close () {
      await metricsListener?.close()
      // Closing waits for open connections. A keep-alive connection whose request finishes
      // during the drain turns idle after fastify's one closeIdleConnections() call, and would
      // hold the process until the 30 s drain limit: sweep idle ones until closed.
      const sweep = setInterval(() => app.server.closeIdleConnections(), 100)
      sweep.unref()
      try {
        await app.close()
      } finally {
        clearInterval(sweep)
      }
      // Every request has ended, so has its span: export what is still buffered.
      await tracer.shutdown()
      await events.close()
      await upstreams.close()
      await registry.close()
      await store.close()
      await cache.close()
      await sessions.close()
    },
  }
  return gateway
}
