/**
 * Libraries loaded the first time something needs them, not with the module graph: a gateway
 * on the embedded default (file store, memory cache) never talks to Redis, and a config the
 * js-yaml fast path reads whole (config/yaml-fast.ts) never needs `yaml`. Measured on the 2-core
 * box: `ioredis` is 45 modules and about 95 ms, `yaml` 72 modules and about 40 ms of every start
 * and `latchkey validate`. Both are CommonJS, so they load synchronously where they are first
 * used; only types are imported statically.
 */
import { createRequire } from 'node:module'

const require = createRequire(import.meta.url)

function once<T> (load: () => T): () => T {
  let loaded: T | undefined
  return () => (loaded ??= load())
}

export const yamlLib = once(() => require('yaml') as typeof import('yaml'))

export const ioredisLib = once(() => require('ioredis') as typeof import('ioredis'))
