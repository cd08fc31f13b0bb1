/**
 * The session store for `cache.type`, opened like the token cache (src/tokens/open.ts): memory
 * in this process, or its own Redis client on the cache's URL and key prefix.
 */
import { Redis } from 'ioredis'
import type { LoadedConfig } from '../config/model.js'
import type { Logger } from '../observability/logger.js'
import { MemorySessionStore } from './memory-sessions.js'
import { RedisSessionStore } from './redis-sessions.js'
import type { SessionStore } from './sessions.js'

export async function openSessionStore (config: LoadedConfig, logger: Logger, now: () => number = Date.now): Promise<SessionStore> {
  if (config.cache.type === 'memory') return new MemorySessionStore(now)
  // No offline queue: while Redis is away a connect step fails at once (500) rather than
  // hanging the user's browser; the link still works once Redis is back.
  const client = new Redis(config.cache.url!, { enableOfflineQueue: false, maxRetriesPerRequest: 0, commandTimeout: 2000, connectTimeout: 2000, lazyConnect: true })
  client.on('error', () => {})
  await client.connect().catch((err: unknown) => {
    logger.warn({ err }, 'connect sessions (redis) not reachable at start')
  })
  return new RedisSessionStore(client, config.cache.key_prefix, now)
}
