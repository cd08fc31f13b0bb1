/**
 * Two latchkey processes on the test file's Redis Cluster: store and cache both `cluster_nodes`,
 * an admin key, a client-credentials connector in front of a recording upstream, and the CLI as
 * a process on the same config. Shared by the cluster process tests.
 */
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import type { Test } from 'tap'
import { generateMasterKey, parseMasterKey } from '../../../src/secrets/master-key.js'
import { openSealedStore } from '../../../src/secrets/open-store.js'
import { latchkeyCli, startGatewayProcess, type GatewayProcess } from '../../helpers/gateway-process.js'
import { redisCluster, type TestRedisCluster } from '../../helpers/redis-cluster.js'
import { tokenEndpoint, type TokenEndpoint } from '../../helpers/token-endpoint.js'
import { recordingUpstream, type RecordingUpstream } from '../../helpers/upstream.js'

export const ADMIN_KEY = 'admin-cluster-key-7d2e9a'
export const CLIENT_SECRET = 'cs-cluster-3b8c1f0d'
export const ADMIN = { 'x-latchkey-key': ADMIN_KEY, 'content-type': 'application/json' }

export interface TwoGateways {
  a: GatewayProcess
  b: GatewayProcess
  cluster: TestRedisCluster
  idp: TokenEndpoint
  upstream: RecordingUpstream
  masterKey: string
  /** The key prefix both use for store and cache. */
  prefix: string
  /** `latchkey <args>` as a process on the same config and key, `stdin` piped. */
  cli (args: string[], stdin?: string): Promise<{ code: number | null, stdout: string, stderr: string }>
  /** Everything both processes wrote, for assertNoSecrets-style scans. */
  output (): string
}

export interface TwoGatewaysOptions {
  /** Extra YAML connections, indented two spaces. */
  connections?: string
  tokenDelayMs?: number
}

export async function twoGateways (t: Test, options: TwoGatewaysOptions = {}): Promise<TwoGateways> {
  const cluster = await redisCluster()
  const idp = await tokenEndpoint(t, { delayMs: options.tokenDelayMs ?? 0 })
  const upstream = await recordingUpstream(t)
  const dir = await mkdtemp(path.join(tmpdir(), 'latchkey-cluster-gw-'))
  t.teardown(() => rm(dir, { recursive: true, force: true }))
  const masterKey = generateMasterKey()
  const prefix = cluster.prefix()
  const nodes = JSON.stringify(cluster.urls)
  const storeConfig = { type: 'redis' as const, cluster_nodes: cluster.urls, key_prefix: prefix }
  const store = await openSealedStore(storeConfig, parseMasterKey(masterKey))
  await store.put('secret', 'admin_key', ADMIN_KEY)
  await store.put('secret', 'cs', CLIENT_SECRET)
  await store.close()

  const configFile = path.join(dir, 'latchkey.yaml')
  await writeFile(configFile, `
server: { host: 127.0.0.1, port: 0, allow_private_upstreams: true, log_level: info }
store: { type: redis, cluster_nodes: ${nodes}, key_prefix: "${prefix}" }
cache: { type: redis, cluster_nodes: ${nodes}, key_prefix: "${prefix}" }
callers:
  api_keys:
    ops: { key: "{{ get_secret('admin_key') }}", admin: true }
connectors:
  api:
    base_url: ${upstream.url}
    inputs:
      - { name: api_key, label: API key, type: password, required: true }
    auth:
      default: cc
      methods:
        cc: { type: oauth_client_credentials, token_url: "${idp.url}", client_id: cluster-client, client_secret: "{{ get_secret('cs') }}" }
        key: { type: api_key, key: x-api-key, value: "{{ connection.credentials.api_key }}" }
        secret: { type: bearer, token: "{{ get_secret('api_token') }}" }
connections:
  api: { connector: api, access: { anonymous: true } }
${options.connections ?? ''}`)
  const env = { LATCHKEY_MASTER_KEY: masterKey }
  const [a, b] = await Promise.all([startGatewayProcess(t, configFile, env, dir), startGatewayProcess(t, configFile, env, dir)])

  const cli: TwoGateways['cli'] = async (args, stdin = '') => {
    const childEnv: NodeJS.ProcessEnv = { ...process.env, ...env, LATCHKEY_CONFIG: configFile }
    delete childEnv.NODE_OPTIONS
    const child = spawn(process.execPath, [latchkeyCli(), ...args], { cwd: dir, env: childEnv, stdio: ['pipe', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => { stdout += chunk })
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => { stderr += chunk })
    child.stdin.end(stdin)
    const [code] = await once(child, 'exit') as [number | null]
    return { code, stdout, stderr }
  }
  return { a, b, cluster, idp, upstream, masterKey, cli, prefix, output: () => [...a.logs, ...b.logs, a.stderr(), b.stderr()].join('\n') }
}

/** Polls `check` every 50 ms until it is true or `timeoutMs` passes; returns the time taken. */
export async function eventually (check: () => Promise<boolean>, timeoutMs: number): Promise<number | undefined> {
  const started = Date.now()
  while (Date.now() - started < timeoutMs) {
    if (await check()) return Date.now() - started
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  return undefined
}
