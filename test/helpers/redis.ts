/**
 * Real Redis for tests. `testRedis(t)` gives each caller its own key prefix on a shared server
 * and cleans up after it; `startRedisServer(t)` gives a private server a test may stop and
 * restart. Neither mocks anything.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { once } from 'node:events'
import { createServer } from 'node:net'
import { basename } from 'node:path'
import { Redis } from 'ioredis'
import tap from 'tap'

/** What the helpers need from a tap test: works for `t` and for the root `tap`. */
export interface TeardownHost {
  teardown (fn: () => unknown): void
}

export interface TestRedis {
  url: string
  /** `test:<file>:<random>:`; everything under it is deleted in teardown */
  prefix: string
  client: Redis
}

export interface RedisServer {
  url: string
  port: number
  /** Stops the server (SIGTERM, waits for exit). Idempotent. */
  stop (): Promise<void>
  /** Starts it again on the same port and waits until it answers PING. */
  start (): Promise<void>
  /**
   * Sends `signal` to the running server, e.g. SIGSTOP to stall it (its sockets stay open,
   * nothing is answered) and SIGCONT to resume it. A no-op when it is not running.
   */
  signal (signal: NodeJS.Signals): void
}

const MISSING = 'tests need Redis: set REDIS_URL or install redis-server (apt-get install redis-server)'

let sharedUrl: Promise<string> | undefined

export async function testRedis (t: TeardownHost): Promise<TestRedis> {
  sharedUrl ??= findSharedRedis()
  const url = await sharedUrl
  const prefix = `test:${fileTag()}:${randomBytes(4).toString('hex')}:`
  const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 2 })
  await client.connect()
  t.teardown(async () => {
    await deleteByPrefix(client, prefix).catch(() => {})
    await client.quit().catch(() => client.disconnect())
  })
  return { url, prefix, client }
}

/** A private redis-server on a free port, stopped in teardown. */
export async function startRedisServer (t: TeardownHost): Promise<RedisServer> {
  const port = await freePort()
  const url = `redis://127.0.0.1:${port}`
  let child: ChildProcess | undefined

  const server: RedisServer = {
    url,
    port,
    async start () {
      if (child !== undefined) return
      child = await spawnRedisServer(port)
    },
    signal (signal) {
      if (child !== undefined && child.exitCode === null && child.signalCode === null) child.kill(signal)
    },
    async stop () {
      const running = child
      child = undefined
      if (running === undefined || running.exitCode !== null || running.signalCode !== null) return
      const exited = once(running, 'exit')
      // A stopped (SIGSTOP) server would hold SIGTERM until resumed.
      running.kill('SIGCONT')
      running.kill('SIGTERM')
      await exited
    },
  }
  await server.start()
  t.teardown(() => server.stop())
  return server
}

/** REDIS_URL, else a server on 127.0.0.1:6379, else one started for this test process. */
async function findSharedRedis (): Promise<string> {
  const configured = process.env.REDIS_URL
  if (configured !== undefined && configured !== '') {
    if (await answersPing(configured)) return configured
    throw new Error(`REDIS_URL=${configured} does not answer PING; ${MISSING}`)
  }
  const local = 'redis://127.0.0.1:6379'
  if (await answersPing(local)) return local
  // Lives until the whole test file is done: every testRedis() caller in it shares it.
  const server = await startRedisServer(tap)
  return server.url
}

async function answersPing (url: string): Promise<boolean> {
  const client = new Redis(url, {
    lazyConnect: true,
    connectTimeout: 500,
    commandTimeout: 500,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    retryStrategy: () => null,
  })
  client.on('error', () => {})
  try {
    await client.connect()
    return (await client.ping()) === 'PONG'
  } catch {
    return false
  } finally {
    client.disconnect()
  }
}

async function spawnRedisServer (port: number): Promise<ChildProcess> {
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
    stdio: 'ignore',
  })
  const failed = new Promise<never>((_resolve, reject) => {
    child.once('error', err => {
      reject(new Error((err as NodeJS.ErrnoException).code === 'ENOENT' ? MISSING : `redis-server failed to start: ${err.message}`))
    })
    child.once('exit', code => { reject(new Error(`redis-server on port ${port} exited with ${code}`)) })
  })
  failed.catch(() => {})
  const deadline = Date.now() + 5_000
  while (Date.now() < deadline) {
    const ready = await Promise.race([answersPing(`redis://127.0.0.1:${port}`), failed])
    if (ready) return child
    await new Promise(resolve => setTimeout(resolve, 25))
  }
  child.kill('SIGKILL')
  throw new Error(`redis-server on port ${port} did not answer within 5 s`)
}

export async function freePort (): Promise<number> {
  const server = createServer()
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const address = server.address()
  server.close()
  await once(server, 'close')
  if (address === null || typeof address === 'string') throw new Error('no port')
  return address.port
}

async function deleteByPrefix (client: Redis, prefix: string): Promise<void> {
  const pattern = prefix.replace(/[*?[\]\\]/g, c => '\\' + c) + '*'
  let cursor = '0'
  do {
    const [next, keys] = await client.scan(cursor, 'MATCH', pattern, 'COUNT', 500)
    if (keys.length > 0) await client.del(...keys)
    cursor = next
  } while (cursor !== '0')
}

function fileTag (): string {
  const file = process.argv[1]
  return file === undefined ? 'unknown' : basename(file).replace(/\.(test\.)?[cm]?[jt]s$/, '')
}
