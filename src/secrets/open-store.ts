import type { Redis } from 'ioredis'
import type { RedisErrorCounter } from '../redis/connect.js'
import { StoreError } from './errors.js'
import { FileStore, type FileStoreOptions } from './file-store.js'
import { RedisStore } from './redis-store.js'
import type { MasterKey, SealedStore, StoreConfig } from './types.js'

export interface OpenStoreOptions {
  /** redis store: reuse this client instead of connecting to `config.url` (close() leaves it open) */
  redis?: Redis
  /** file store: tuning for tests and tools */
  file?: FileStoreOptions
  /** redis store: counts its connection errors (latchkey_redis_errors_total) */
  redisError?: RedisErrorCounter
}

/**
 * Opens the configured store. Fails with StoreError 'wrong_key' when its records were sealed
 * by another master key, so a wrong key stops startup with a clear message.
 */
export async function openSealedStore (config: StoreConfig, key: MasterKey, options: OpenStoreOptions = {}): Promise<SealedStore> {
  const type = config.type
  switch (type) {
    case 'file':
      if (config.path === undefined || config.path === '') {
        throw new StoreError('invalid_config', 'the file store needs store.path')
      }
      return FileStore.open(config.path, key, options.file)
    case 'redis':
      return RedisStore.open({ client: options.redis, url: config.url, cluster_nodes: config.cluster_nodes, keyPrefix: config.key_prefix, redisError: options.redisError }, key)
    default: {
      const unknown: never = type
      throw new StoreError('invalid_config', `unknown store type ${String(unknown)}`)
    }
  }
}
