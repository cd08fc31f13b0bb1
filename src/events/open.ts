/**
 * Lifecycle events and forwarded webhooks for one gateway: the queue for `cache.type` (Redis,
 * shared and durable; or memory, lost on restart), the deliverer that empties it, and the
 * sink the connection modules call. Opened and closed with the gateway.
 */
import { Agent, type Dispatcher } from 'undici'
import type { CacheSettings } from '../config/model.js'
import type { TemplateCompiler } from '../config/semantic.js'
import type { Logger } from '../observability/logger.js'
import type { Metrics } from '../observability/metrics.js'
import { createRedisClient, type RedisErrorCounter } from '../redis/connect.js'
import { guardedLookup } from '../proxy/host-guard.js'
import type { SecretLookup } from '../runtime/secrets.js'
import { EventDeliverer, type DelivererOptions } from './deliverer.js'
import { makeEvent, type QueuedEvent } from './event.js'
import { MemoryEventQueue } from './queue/memory.js'
import { RedisEventQueue } from './queue/redis.js'
import type { Dedupe, EventQueue } from './queue/types.js'
import { signingKeySource, type EventsSettings } from './signing-key.js'
import type { EventSink } from './sink.js'

export interface Events {
  readonly queue: EventQueue
  readonly sink: EventSink
  /** `server.events` of the running config, or undefined. */
  settings (): EventsSettings | undefined
  /** Queues an event (due now) and wakes this process's deliverer. */
  publish (event: QueuedEvent, dedupe?: Dedupe): Promise<'queued' | 'duplicate'>
  /** Starts delivering (once the gateway is assembled: a delivery renders with its compiler). */
  start (): void
  /** Look for due events now (a dead letter was re-queued; a test moved its clock). */
  wake (): void
  close (): Promise<void>
}

export interface EventsOptions {
  cache: CacheSettings
  settings: () => EventsSettings | undefined
  compiler: () => TemplateCompiler
  secrets: SecretLookup
  logger: Logger
  metrics: Metrics
  now: () => number
  allowPrivate: boolean
  /** Tests shorten the schedule and the poll; production uses the defaults. */
  delivery?: Partial<Pick<DelivererOptions, 'schedule' | 'pollMs' | 'leaseMs' | 'timeoutMs'>>
}

export async function openEvents (options: EventsOptions): Promise<Events> {
  const queue = await openQueue(options.cache, options.logger, options.metrics.redisError)
  const { trusted, guarded } = deliveryAgents(options.allowPrivate)
  const deliverer = new EventDeliverer({
    queue,
    signingKey: signingKeySource(options.settings, options.compiler, options.secrets),
    dispatchers: { trusted, guarded },
    now: options.now,
    logger: options.logger,
    delivered: (result) => options.metrics.eventDelivered(result),
    ...options.delivery,
  })
  options.metrics.watchEventQueue(() => queue.stats(options.now()))

  const publish: Events['publish'] = async (event, dedupe) => {
    const outcome = await queue.enqueue(event, options.now(), dedupe)
    if (outcome === 'queued') deliverer.wake()
    return outcome
  }
  const sink: EventSink = {
    async connection (type, data) {
      const settings = options.settings()
      if (settings === undefined) return
      const event = makeEvent(type, { ...data }, { url: settings.url, guarded: false }, options.now())
      try {
        await publish(event)
      } catch (err) {
        // The change itself is made; only its announcement is lost. Said loudly, without data.
        options.logger.error({ err, event: event.id, type, connection: data.connection }, 'lifecycle event could not be queued')
      }
    },
  }
  return {
    queue,
    sink,
    settings: options.settings,
    publish,
    start: () => deliverer.start(),
    wake: () => deliverer.wake(),
    async close () {
      await deliverer.close()
      await queue.close()
      await Promise.all([...new Set([trusted, guarded])].map((agent) => agent.close()))
    },
  }
}

async function openQueue (cache: CacheSettings, logger: Logger, redisError: RedisErrorCounter): Promise<EventQueue> {
  const type = cache.type
  switch (type) {
    case 'memory': return new MemoryEventQueue()
    case 'redis': {
      // No offline queue: while Redis is away a webhook is refused (the provider retries) rather
      // than held in this process's memory, where a restart would lose it.
      const client = createRedisClient(cache, { offlineQueue: false, retriesPerRequest: 0, commandTimeoutMs: 2000, connectTimeoutMs: 2000 })
      client.on('error', () => redisError('events'))
      await client.connect().catch((err: unknown) => {
        logger.warn({ err }, 'event queue (redis) not reachable at start')
      })
      return new RedisEventQueue(client, cache.key_prefix)
    }
    default: {
      const unknown: never = type
      throw new Error(`unknown cache type ${String(unknown)}`)
    }
  }
}

/**
 * Event receivers: TLS verified, bounded connect time, no redirects (undici's request never
 * follows them). A templated `forward_to` goes through the guarded agent, which refuses
 * private addresses at connect time unless `server.allow_private_upstreams`.
 */
function deliveryAgents (allowPrivate: boolean): { trusted: Dispatcher & { close (): Promise<void> }, guarded: Dispatcher & { close (): Promise<void> } } {
  const options: Agent.Options = { keepAliveTimeout: 10_000, connect: { rejectUnauthorized: true, timeout: 10_000 } }
  const trusted = new Agent(options)
  const guarded = allowPrivate ? trusted : new Agent({ ...options, connect: { ...options.connect, lookup: guardedLookup } })
  return { trusted, guarded }
}
