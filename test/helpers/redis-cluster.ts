/**
 * A real Redis Cluster for tests: three masters on free loopback ports, no replicas, joined by
 * `redis-cli --cluster create`, shared by every test in a file and stopped when the file ends.
 * A node can be killed (SIGKILL) and started again on its port with its nodes.conf, so it
 * rejoins with its slots, as an operator's restart would.
 *
 * `cluster-require-full-coverage no`: with one master down, the other masters keep answering
 * for their slots (the default refuses every key once a slot is uncovered). A short node
 * timeout makes the cluster notice a death, and a return, within a couple of seconds.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { once } from 'node:events'
import { mkdtempSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { Cluster, Redis } from 'ioredis'
import tap from 'tap'
import { freePort } from './redis.js'

const run = promisify(execFile)
const MISSING = 'the cluster tests need redis-server and redis-cli (apt-get install redis-server redis-tools)'

export interface ClusterNode {
  port: number
  url: string
  /** Sends the signal (SIGKILL: the node dies at once, its data with it). */
  kill (signal?: NodeJS.Signals): Promise<void>
  /** Starts it again on the same port with the same nodes.conf; resolves when it answers. */
  start (): Promise<void>
}

export interface TestRedisCluster {
  nodes: ClusterNode[]
  /** `redis://127.0.0.1:P` of each node, for `cluster_nodes:` */
  urls: string[]
  /** A key prefix of this caller's own (`test:cluster:<hex>:`). */
  prefix (): string
  /** A Cluster client, closed in teardown. */
  client (): Promise<Cluster>
  /** Resolves when every node reports cluster_state:ok. */
  waitHealthy (timeoutMs?: number): Promise<void>
  /** The slot a key hashes to (CLUSTER KEYSLOT). */
  keySlot (key: string): Promise<number>
  /** The node serving a slot. */
  nodeForSlot (slot: number): Promise<ClusterNode>
}

let shared: Promise<TestRedisCluster> | undefined

/** The cluster of this test file (started on first use, stopped when the file is done). */
export function redisCluster (): Promise<TestRedisCluster> {
  shared ??= startCluster()
  return shared
}

async function startCluster (): Promise<TestRedisCluster> {
  const dir = mkdtempSync(join(tmpdir(), 'latchkey-cluster-'))
  const nodes: NodeProcess[] = []
  const clients: Array<Cluster | Redis> = []
  tap.teardown(async () => {
    for (const client of clients) client.disconnect()
    await Promise.all(nodes.map((node) => node.kill('SIGKILL')))
    rmSync(dir, { recursive: true, force: true })
  })
  for (let i = 0; i < 3; i++) {
    const node = new NodeProcess(await clusterPort(), dir)
    nodes.push(node)
  }
  await Promise.all(nodes.map((node) => node.start()))
  try {
    await run('redis-cli', ['--cluster', 'create', ...nodes.map((n) => `127.0.0.1:${n.port}`), '--cluster-replicas', '0', '--cluster-yes'], { timeout: 30_000 })
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new Error(MISSING)
    throw err
  }
  const cluster: TestRedisCluster = {
    nodes,
    urls: nodes.map((n) => n.url),
    prefix: () => `test:cluster:${randomBytes(4).toString('hex')}:`,
    async client () {
      const client = new Cluster(nodes.map((n) => ({ host: '127.0.0.1', port: n.port })), { lazyConnect: true, redisOptions: { maxRetriesPerRequest: 2 } })
      client.on('error', () => {})
      clients.push(client)
      await client.connect()
      return client
    },
    waitHealthy: (timeoutMs = 15_000) => waitForClusterOk(nodes, timeoutMs),
    async keySlot (key) {
      return Number(await probe(nodes[0]!.port, (r) => r.cluster('KEYSLOT', key)))
    },
    async nodeForSlot (slot) {
      for (const node of nodes) {
        const answer = await probe(node.port, (r) => r.cluster('SHARDS') as Promise<unknown[]>).catch(() => undefined)
        if (answer === undefined) continue
        for (const shard of answer as unknown[][]) {
          const fields = toMap(shard)
          const slots = fields.get('slots') as number[]
          const master = (fields.get('nodes') as unknown[][]).map(toMap).find((n) => n.get('role') === 'master')
          for (let i = 0; i + 1 < slots.length; i += 2) {
            if (slot >= slots[i]! && slot <= slots[i + 1]!) {
              const port = Number(master?.get('port'))
              const found = nodes.find((n) => n.port === port)
              if (found !== undefined) return found
            }
          }
        }
        break
      }
      throw new Error(`no node serves slot ${slot}`)
    },
  }
  await cluster.waitHealthy()
  return cluster
}

class NodeProcess implements ClusterNode {
  readonly url: string
  #child: ChildProcess | undefined

  constructor (readonly port: number, private readonly dir: string) {
    this.url = `redis://127.0.0.1:${port}`
  }

  async start (): Promise<void> {
    if (this.#child !== undefined) return
    const child = spawn('redis-server', [
      '--port', String(this.port), '--bind', '127.0.0.1',
      '--cluster-enabled', 'yes', '--cluster-config-file', join(this.dir, `nodes-${this.port}.conf`),
      '--cluster-node-timeout', '1000', '--cluster-require-full-coverage', 'no',
      '--save', '', '--appendonly', 'no', '--dir', this.dir, '--daemonize', 'no',
    ], { stdio: 'ignore' })
    this.#child = child
    const failed = new Promise<never>((_resolve, reject) => {
      child.once('error', (err) => reject((err as NodeJS.ErrnoException).code === 'ENOENT' ? new Error(MISSING) : err))
      child.once('exit', (code) => reject(new Error(`redis-server on port ${this.port} exited with ${code}`)))
    })
    failed.catch(() => {})
    const deadline = Date.now() + 5_000
    while (Date.now() < deadline) {
      const up = await Promise.race([probe(this.port, (r) => r.ping()).then(() => true, () => false), failed])
      if (up) return
      await new Promise((resolve) => setTimeout(resolve, 25))
    }
    throw new Error(`redis-server on port ${this.port} did not answer within 5 s`)
  }

  async kill (signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    const child = this.#child
    this.#child = undefined
    if (child === undefined || child.exitCode !== null || child.signalCode !== null) return
    const exited = once(child, 'exit')
    child.kill(signal)
    await exited
  }
}

/** A port whose cluster bus port (port + 10000) is free too. */
async function clusterPort (): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = await freePort()
    if (port + 10000 <= 65535 && await canListen(port + 10000)) return port
  }
  throw new Error('no free port pair for a cluster node')
}

async function canListen (port: number): Promise<boolean> {
  const server = createServer()
  try {
    server.listen(port, '127.0.0.1')
    await once(server, 'listening')
    return true
  } catch {
    return false
  } finally {
    server.close()
  }
}

async function probe<T> (port: number, ask: (redis: Redis) => Promise<T>): Promise<T> {
  const redis = new Redis({ host: '127.0.0.1', port, lazyConnect: true, connectTimeout: 500, commandTimeout: 1000, maxRetriesPerRequest: 0, enableOfflineQueue: false, retryStrategy: () => null })
  redis.on('error', () => {})
  try {
    await redis.connect()
    return await ask(redis)
  } finally {
    redis.disconnect()
  }
}

async function waitForClusterOk (nodes: readonly NodeProcess[], timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs
  let last = ''
  while (Date.now() < deadline) {
    const states = await Promise.all(nodes.map((n) => probe(n.port, (r) => r.cluster('INFO')).then(String, (err: Error) => err.message)))
    if (states.every((info) => info.includes('cluster_state:ok'))) return
    last = states.map((s) => /cluster_state:\w+/.exec(s)?.[0] ?? s).join(', ')
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  throw new Error(`the cluster did not report cluster_state:ok within ${timeoutMs} ms (${last})`)
}

function toMap (flat: unknown[]): Map<string, unknown> {
  const map = new Map<string, unknown>()
  for (let i = 0; i + 1 < flat.length; i += 2) map.set(String(flat[i]), flat[i + 1])
  return map
}
