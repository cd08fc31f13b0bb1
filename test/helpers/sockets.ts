/**
 * Counting the sockets a real server holds, for the "no socket left behind" checks: every
 * accepted socket is remembered from its 'connection' event until its 'close' event, and
 * `server.getConnections()` (node's own count) must agree before a server counts as drained.
 * Attach before the first request; sockets accepted earlier are not seen.
 */
import { connect, type Server } from 'node:net'
import { setTimeout as sleep } from 'node:timers/promises'

export interface ConnectionTracker {
  /** Sockets accepted since the tracker was attached and not closed yet. */
  readonly open: number
  /** Sockets accepted since the tracker was attached. */
  readonly accepted: number
  /**
   * Resolves with the number of sockets still open once none is (0), or when `timeoutMs`
   * has passed (then the count at that moment): a leak shows as a non-zero answer, not a hang.
   */
  drained (timeoutMs?: number): Promise<number>
}

export function trackConnections (server: Server): ConnectionTracker {
  const open = new Set<unknown>()
  let accepted = 0
  server.on('connection', (socket) => {
    accepted++
    open.add(socket)
    socket.once('close', () => open.delete(socket))
  })
  const nodeCount = () => new Promise<number>((resolve, reject) => {
    server.getConnections((err, count) => { if (err === null) resolve(count); else reject(err) })
  })
  return {
    get open () { return open.size },
    get accepted () { return accepted },
    async drained (timeoutMs = 3000) {
      const deadline = performance.now() + timeoutMs
      for (;;) {
        const count = Math.max(open.size, await nodeCount())
        if (count === 0 || performance.now() >= deadline) return count
        await sleep(20)
      }
    },
  }
}

/** Rejects with a message naming `what` when `promise` takes longer than `ms`. */
export async function within<T> (ms: number, what: string, promise: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const late = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not finish within ${ms} ms`)), ms)
  })
  try {
    return await Promise.race([promise, late])
  } finally {
    clearTimeout(timer)
  }
}

/**
 * Whether a TCP connect to 127.0.0.1:`port` is refused right now. A port from closedPort() was
 * free a moment ago, but the next listen(0) (the gateway's own, or a parallel test file's) may
 * be given that same port: check before relying on the refusal.
 */
export function refuses (port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1')
    socket.once('connect', () => { socket.destroy(); resolve(false) })
    socket.once('error', (err: NodeJS.ErrnoException) => resolve(err.code === 'ECONNREFUSED'))
  })
}
