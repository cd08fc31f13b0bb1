/**
 * The session store for `cache.type`, opened like the token cache (src/tokens/open.ts): memory
 * in this process, or its own Redis client (src/redis/connect.ts) on the cache's URL or cluster.
 */
import type { LoadedConfig } from '../config/model.js'
import type { Logger } from '../observability/logger.js'
import { createRedisClient, type RedisErrorCounter } from '../redis/connect.js'
import { MemorySessionStore } from './memory-sessions.js'
import { RedisSessionStore } from './redis-sessions.js'
import type { SessionStore } from './sessions.js'

export async function openSessionStore (config: LoadedConfig, logger: Logger, now: () => number = Date.now, redisError?: RedisErrorCounter): Promise<SessionStore> {
  if (config.cache.type === 'memory') return new MemorySessionStore(now)
  // No offline queue: while Redis is away a connect step fails at once (500) rather than
  // hanging the user's browser; the link still works once Redis is back.
  const client = createRedisClient(config.cache, { offlineQueue: false, retriesPerRequest: 0, commandTimeoutMs: 2000, connectTimeoutMs: 2000 })
  client.on('error', () => redisError?.('connect_sessions'))
  await client.connect().catch((err: unknown) => {
    logger.warn({ err }, 'connect sessions (redis) not reachable at start')
  })
  return new RedisSessionStore(client, config.cache.key_prefix, now)
}
