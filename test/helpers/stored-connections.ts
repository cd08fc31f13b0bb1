/**
 * A shared config for the stored-connection tests: an admin key, a caller key, and a connector
 * with a required pattern-checked config input and a password input, proxying to `upstream`.
 */
import { parseMasterKey } from '../../src/secrets/master-key.js'
import { openSealedStore } from '../../src/secrets/open-store.js'
import type { TestRedis } from './redis.js'

export const ADMIN_KEY = 'admin-key-stored-5c1d'
export const CALLER_KEY = 'caller-key-stored-9e2f'
export const ADMIN = { 'x-latchkey-key': ADMIN_KEY, 'content-type': 'application/json' }
export const CALLER = { 'x-latchkey-key': CALLER_KEY }
export const KEYS = { admin_key: ADMIN_KEY, caller_key: CALLER_KEY }

export interface StoredConfigOptions {
  upstreamUrl: string
  /** Redis store and cache under the test's prefix; a file store otherwise. */
  redis?: TestRedis
  /** YAML connections to add, as YAML text indented by two spaces. */
  yamlConnections?: string
}

export function storedConnectionsConfig (options: StoredConfigOptions): string {
  const { redis } = options
  const shared = redis === undefined
    ? ''
    : `store: { type: redis, url: "${redis.url}", key_prefix: "${redis.prefix}" }\ncache: { type: redis, url: "${redis.url}", key_prefix: "${redis.prefix}" }\n`
  return `${shared}server: { allow_private_upstreams: true }
callers:
  api_keys:
    ops: { key: "{{ get_secret('admin_key') }}", admin: true }
    app: { key: "{{ get_secret('caller_key') }}" }
connectors:
  weather:
    name: Weather
    base_url: ${options.upstreamUrl}
    inputs:
      - { name: region, label: Region, type: text, required: true, pattern: "^[a-z]{2}$", pattern_error: "two lower-case letters" }
      - { name: api_key, label: API key, type: password, required: true }
    auth:
      default: key
      methods:
        key: { type: api_key, key: X-Api-Key, value: "{{ connection.credentials.api_key }}" }
    headers:
      X-Region: "{{ connection.config.region }}"
connections:
  yaml-one:
    connector: weather
    config: { region: eu }
    credentials: { api_key: "yaml-credential" }
    access: { callers: ['*'] }
${options.yamlConnections ?? ''}`
}

/** A PUT body for a weather connection the `app` caller may use. */
export function weatherBody (apiKey: string, overrides: Record<string, unknown> = {}): string {
  return JSON.stringify({ connector: 'weather', config: { region: 'us' }, credentials: { api_key: apiKey }, access: { callers: ['app'] }, ...overrides })
}

/** Seals `secrets` into the Redis store the config above points at (startGateway seals into a file store). */
export async function sealIntoRedis (redis: TestRedis, masterKey: string, secrets: Record<string, string>): Promise<void> {
  const store = await openSealedStore({ type: 'redis', url: redis.url, key_prefix: redis.prefix }, parseMasterKey(masterKey))
  for (const [name, value] of Object.entries(secrets)) await store.put('secret', name, value)
  await store.close()
}
