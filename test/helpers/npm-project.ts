/**
 * A fresh checkout as `npm start` sees it, in a temp folder and fast: the repo's package.json
 * (its `start` script verbatim), config/ copied, node_modules linked, `dist/` linked to the
 * current build (or the transpiled sources, see gateway-process.ts). Only the `build` script is
 * replaced by a no-op: the code is built already, and a tsc run would cost half a minute.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { cp, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { latchkeyCli } from './gateway-process.js'
import { REPO } from './repo.js'
import type { TeardownHost } from './redis.js'

const repo = REPO

export interface NpmProject {
  dir: string
  /** PATH first entry: a folder holding nothing but what the project adds (empty here). */
  env: NodeJS.ProcessEnv
}

export async function npmProject (t: TeardownHost): Promise<NpmProject> {
  const dir = await mkdtemp(join(tmpdir(), 'latchkey-npm-'))
  t.teardown(() => rm(dir, { recursive: true, force: true }))
  const pkg = JSON.parse(await readFile(join(repo, 'package.json'), 'utf8')) as { scripts: Record<string, string> }
  pkg.scripts = { ...pkg.scripts, build: 'true' }
  await writeFile(join(dir, 'package.json'), JSON.stringify(pkg, null, 2))
  await cp(join(repo, 'config'), join(dir, 'config'), { recursive: true })
  await symlink(join(repo, 'node_modules'), join(dir, 'node_modules'))
  await symlink(dirname(latchkeyCli()), join(dir, 'dist'))
  const env: NodeJS.ProcessEnv = { ...process.env }
  // tap's NODE_OPTIONS preloads its process tracking; npm and the gateway do not need it.
  delete env.NODE_OPTIONS
  for (const name of Object.keys(env)) if (name.startsWith('npm_') || name.startsWith('TAP')) delete env[name]
  return { dir, env }
}

export interface NpmStart {
  /** npm's process: the one an operator signals */
  npm: ChildProcess
  /** the gateway's pid and address, from its listening line */
  pid: number
  address: string
  logs: string[]
  exited: Promise<number | null>
}

/** `npm start` in the project; resolves at the gateway's `latchkey listening` line. */
export async function npmStart (t: TeardownHost, project: NpmProject, env: NodeJS.ProcessEnv = {}): Promise<NpmStart> {
  const npm = spawn('npm', ['start', '--silent'], { cwd: project.dir, env: { ...project.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] })
  const exited = new Promise<number | null>((resolve) => npm.once('exit', (code) => resolve(code)))
  const logs: string[] = []
  let pending = ''
  let stderr = ''
  npm.stderr!.setEncoding('utf8').on('data', (chunk: string) => { stderr += chunk })
  const listening = new Promise<{ pid: number, address: string }>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`npm start did not listen within 30 s: ${stderr}`)), 30_000)
    npm.once('exit', (code) => reject(new Error(`npm start exited (${code}) before listening: ${stderr} ${logs.join('\n')}`)))
    npm.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      pending += chunk
      let nl: number
      while ((nl = pending.indexOf('\n')) >= 0) {
        const line = pending.slice(0, nl)
        pending = pending.slice(nl + 1)
        logs.push(line)
        try {
          const entry = JSON.parse(line) as { msg?: string, pid?: number, address?: string }
          if (entry.msg === 'latchkey listening') {
            clearTimeout(timer)
            resolve({ pid: entry.pid!, address: entry.address! })
          }
        } catch {}
      }
    })
  })
  const started = await listening
  t.teardown(() => {
    // Whatever a test left running: the gateway by its own pid, then npm.
    for (const pid of [started.pid, npm.pid]) {
      try { process.kill(pid!, 'SIGKILL') } catch {}
    }
  })
  return { npm, ...started, logs, exited }
}

/** Resolves once `pid` is gone (polling: it is not our child). */
export async function processGone (pid: number, withinMs: number): Promise<boolean> {
  const until = Date.now() + withinMs
  while (Date.now() < until) {
    try {
      process.kill(pid, 0)
    } catch {
      return true
    }
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  return false
}
