/** The token service for `cache.type`: in-process only (memory) or in front of Redis (redis). */
import type { LoadedConfig } from '../config/model.js'
import type { Logger } from '../observability/logger.js'
import { closeRedisClient, createRedisClient, createRedisSubscriber } from '../redis/connect.js'
import { createSealer } from '../secrets/seal.js'
import type { MasterKey } from '../secrets/types.js'
import { RedisTokenStore } from './redis-store.js'
import { MemoryRateCounter, RedisRateCounter, type RateCounter } from '../callers/rate-limit.js'
import { TokenService, type TokenEvents } from './service.js'

export interface TokenCache {
  tokens: TokenService
  /** Rate-limit counters live beside the tokens: in Redis when the cache is Redis. */
  rateCounter: RateCounter
  /** For /readyz: resolves when the shared tier answers. */
  ping?: () => Promise<void>
  close (): Promise<void>
}

export async function openTokenCache (config: LoadedConfig, key: MasterKey, logger: Logger, now?: () => number, events?: TokenEvents): Promise<TokenCache> {
  const common = { logger, ...(now === undefined ? {} : { now }), ...(events === undefined ? {} : { events }) }
  const type = config.cache.type
  switch (type) {
    case 'memory':
      return { tokens: new TokenService(common), rateCounter: new MemoryRateCounter(now), close: async () => {} }
    case 'redis': {
      // Fail fast while Redis is away (no offline queue, short command timeout): the token
      // service then serves from the process and fetches tokens itself.
      const behaviour = { offlineQueue: false, retriesPerRequest: 0, commandTimeoutMs: 1000, connectTimeoutMs: 2000 }
      const client = createRedisClient(config.cache, behaviour)
      const subscriber = createRedisSubscriber(config.cache, behaviour)
      // Connection errors are counted (latchkey_redis_errors_total) and otherwise silent: the
      // token service logs the outage once, when a command fails.
      client.on('error', () => events?.redisError?.('cache'))
      subscriber.on('error', () => events?.redisError?.('cache_subscriber'))
      await Promise.all([client.connect(), subscriber.connect()].map((p) => p.catch((err: unknown) => {
        logger.warn({ err }, 'token cache (redis) not reachable at start: serving from this process until it is')
      })))
      const shared = await RedisTokenStore.open({ client, subscriber, prefix: config.cache.key_prefix, sealer: await createSealer(key) })
      // The lock must outlive the holder's token request (bounded by token_timeout), with room
      // to spare: a lock that expires mid-fetch would let another process fetch as well.
      const lockTtlMs = Math.max(15_000, 2 * config.server.token_timeout_ms + 5_000)
      return {
        tokens: new TokenService({ ...common, shared, lockTtlMs }),
        rateCounter: new RedisRateCounter(client, config.cache.key_prefix, new MemoryRateCounter(now)),
        ping: async () => { await client.ping() },
        async close () {
          await shared.close()
          await closeRedisClient(client)
        },
      }
    }
    default: {
      const unknown: never = type
      throw new Error(`unknown cache type ${String(unknown)}`)
    }
  }
}
