/**
 * Process helpers for the bench scripts (bench/soak.mjs): free loopback ports, a private
 * redis-server that can be stopped and started again on the same port, the sealed file store,
 * latchkey from dist/ as a child process, and what /proc says about a process (fds, sockets by
 * peer, RSS). Everything binds and connects to 127.0.0.1 only.
 */
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { closeSync, openSync, readFileSync, readdirSync, readlinkSync } from 'node:fs'
import http from 'node:http'
import net from 'node:net'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { WebSocket } from 'undici'

export const LOOPBACK = '127.0.0.1'

export function freePort () {
  return new Promise((resolve, reject) => {
    const server = net.createServer()
    server.once('error', reject)
    server.listen(0, LOOPBACK, () => {
      const { port } = server.address()
      server.close(() => resolve(port))
    })
  })
}

/** `120s`, `2m`, `90` (seconds) or `500ms` -> milliseconds. */
export function parseDuration (text) {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m)?$/.exec(String(text).trim())
  if (m === null) throw new Error(`not a duration: ${text} (use 120s, 2m or a number of seconds)`)
  const n = Number(m[1])
  return Math.round(m[2] === 'ms' ? n : m[2] === 'm' ? n * 60_000 : n * 1000)
}

/** SIGTERM, then SIGKILL after `graceMs`; resolves once the child has exited. */
export async function stopChild (child, graceMs = 5000) {
  if (child.exitCode !== null || child.signalCode !== null) return
  const exited = once(child, 'exit')
  child.kill('SIGTERM')
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs)
  await exited
  clearTimeout(timer)
}

// ---------------------------------------------------------------------------------------------
// redis-server

/** One PING over a fresh socket: true on +PONG. No client library, so nothing reconnects. */
export function redisPing (port, timeoutMs = 500) {
  return new Promise((resolve) => {
    const socket = net.connect({ host: LOOPBACK, port })
    const done = (ok) => { socket.destroy(); resolve(ok) }
    socket.setTimeout(timeoutMs, () => done(false))
    socket.once('error', () => done(false))
    socket.once('connect', () => socket.write('PING\r\n'))
    socket.once('data', (data) => done(data.toString('latin1').startsWith('+PONG')))
  })
}

/**
 * A redis-server of our own on `port`, loopback only, nothing persisted (`--save ''
 * --appendonly no`), so a restart really loses every key, as a fresh Redis would.
 */
export function redisServer ({ port, dir }) {
  let child
  return {
    port,
    url: `redis://${LOOPBACK}:${port}/0`,
    get pid () { return child?.pid },
    async start () {
      child = spawn('redis-server', ['--port', String(port), '--bind', LOOPBACK, '--save', '', '--appendonly', 'no', '--dir', dir],
        { stdio: 'ignore' })
      const failed = once(child, 'exit').then(([code]) => { throw new Error(`redis-server exited (${code}) on start`) })
      failed.catch(() => {})
      child.once('error', () => {})
      const deadline = Date.now() + 10_000
      while (!(await Promise.race([redisPing(port), failed]))) {
        if (Date.now() > deadline) throw new Error(`redis-server on ${port} did not answer PING within 10 s`)
        await sleep(25)
      }
    },
    async stop () {
      if (child !== undefined) await stopChild(child)
      child = undefined
    },
  }
}

// ---------------------------------------------------------------------------------------------
// latchkey

/** Seals `secrets` into a file store at `path` with dist/'s own store code, as the CLI would. */
export async function sealSecrets ({ repo, path, masterKey, secrets }) {
  const { openSealedStore } = await import(join(repo, 'dist', 'secrets', 'open-store.js'))
  const { parseMasterKey } = await import(join(repo, 'dist', 'secrets', 'master-key.js'))
  const store = await openSealedStore({ type: 'file', path }, parseMasterKey(masterKey))
  try {
    for (const [name, value] of Object.entries(secrets)) await store.put('secret', name, value)
  } finally {
    await store.close()
  }
}

/**
 * `node [nodeArgs] dist/cli.js start -c configFile`, stdout and stderr into `logFile`; resolves
 * once /healthz answers.
 */
export async function startLatchkey ({ repo, configFile, logFile, port, masterKey, nodeArgs = [] }) {
  const out = openSync(logFile, 'w')
  const child = spawn(process.execPath, [...nodeArgs, join(repo, 'dist', 'cli.js'), 'start', '-c', configFile],
    { cwd: repo, env: { ...process.env, LATCHKEY_MASTER_KEY: masterKey }, stdio: ['ignore', out, out] })
  closeSync(out)
  const address = `http://${LOOPBACK}:${port}`
  const deadline = Date.now() + 30_000
  while ((await status(`${address}/healthz`)) !== 200) {
    if (child.exitCode !== null) throw new Error(`latchkey exited (${child.exitCode}):\n${readFileSync(logFile, 'utf8')}`)
    if (Date.now() > deadline) {
      child.kill('SIGKILL')
      throw new Error(`latchkey did not start:\n${readFileSync(logFile, 'utf8')}`)
    }
    await sleep(100)
  }
  return { child, address }
}

/** Status of one GET on a socket of its own (agent: false, so nothing stays open). */
export function status (url) {
  return new Promise((resolve) => {
    http.get(url, { agent: false }, (res) => { res.resume(); res.on('end', () => resolve(res.statusCode)) })
      .on('error', () => resolve(undefined))
  })
}

/**
 * A full garbage collection in a process started with `--inspect=127.0.0.1:<port>`, through the
 * inspector protocol (HeapProfiler.collectGarbage), then its V8 heap in use, in MB. V8 collects
 * its old generation lazily, so RSS without this mostly tells how long ago the last full GC was.
 */
export async function collectGarbage (port) {
  const [target] = await (await fetch(`http://${LOOPBACK}:${port}/json/list`)).json()
  const ws = new WebSocket(target.webSocketDebuggerUrl)
  await new Promise((resolve, reject) => { ws.onopen = resolve; ws.onerror = () => reject(new Error('inspector refused')) })
  const pending = new Map()
  ws.onmessage = (event) => {
    const message = JSON.parse(event.data)
    pending.get(message.id)?.(message.result)
  }
  let id = 0
  const call = (method) => new Promise((resolve) => {
    pending.set(++id, resolve)
    ws.send(JSON.stringify({ id, method }))
  })
  try {
    await call('HeapProfiler.collectGarbage')
    const usage = await call('Runtime.getHeapUsage')
    return usage.usedSize / 1024 / 1024
  } finally {
    // Closed before returning, so the socket count taken next does not include this one.
    const closed = new Promise((resolve) => { ws.onclose = resolve })
    ws.close()
    await closed
  }
}

// ---------------------------------------------------------------------------------------------
// /proc

/**
 * File descriptors, sockets and RSS of `pid`. Sockets are the fd links `socket:[inode]`; each
 * is named after its TCP peer through the process's /proc/<pid>/net/tcp{,6}: `peers` maps a
 * remote port to a name (upstream, redis...), `listenPort` names the accepted caller sockets.
 */
export function procStats (pid, { peers = {}, listenPort } = {}) {
  const inodes = []
  let fds = 0
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    fds++
    let link
    try { link = readlinkSync(`/proc/${pid}/fd/${fd}`) } catch { continue } // closed meanwhile
    const m = /^socket:\[(\d+)\]$/.exec(link)
    if (m !== null) inodes.push(m[1])
  }
  const tcp = tcpTable(pid)
  const sockets = { total: inodes.length }
  for (const inode of inodes) {
    const entry = tcp.get(inode)
    const kind = entry === undefined
      ? 'other' // unix sockets, or a TCP socket gone between the two reads
      : entry.state === '0A' ? 'listen' : entry.local === listenPort ? 'callers' : (peers[entry.remote] ?? 'other')
    sockets[kind] = (sockets[kind] ?? 0) + 1
  }
  return { fds, sockets, rssMb: rssMb(pid) }
}

function tcpTable (pid) {
  const table = new Map()
  for (const file of ['tcp', 'tcp6']) {
    let text
    try { text = readFileSync(`/proc/${pid}/net/${file}`, 'utf8') } catch { continue }
    for (const line of text.split('\n').slice(1)) {
      const f = line.trim().split(/\s+/)
      if (f.length < 10) continue
      const port = (addr) => parseInt(addr.slice(addr.lastIndexOf(':') + 1), 16)
      table.set(f[9], { local: port(f[1]), remote: port(f[2]), state: f[3] })
    }
  }
  return table
}

export function rssMb (pid) {
  const kb = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]
  return Number(kb) / 1024
}
