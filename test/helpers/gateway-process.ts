/**
 * latchkey as a real process: `node dist/cli.js start -c FILE`, its JSON log lines collected,
 * its address read from the `latchkey listening` line, killed in teardown.
 *
 * `dist/` is used when it is at least as new as every source file. Otherwise (sources edited
 * since the last `npm run build`) the sources are transpiled once per test process, without a
 * type check, into a folder inside the repo where node_modules resolves, so the test never runs
 * stale code and never waits for a full tsc build.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { existsSync, readdirSync, statSync } from 'node:fs'
import { join, relative } from 'node:path'
import { transpileToTemp } from './transpile.js'
import { REPO } from './repo.js'
import type { TeardownHost } from './redis.js'

const repo = REPO

function sourceFiles (dir: string): string[] {
  return readdirSync(join(repo, dir), { withFileTypes: true }).flatMap((entry) => {
    const rel = join(dir, entry.name)
    if (entry.isDirectory()) return sourceFiles(rel)
    return entry.name.endsWith('.ts') ? [rel] : []
  })
}

function distIsFresh (files: readonly string[]): boolean {
  return files.every((file) => {
    const out = join(repo, 'dist', relative('src', file).replace(/\.ts$/, '.js'))
    return existsSync(out) && statSync(out).mtimeMs >= statSync(join(repo, file)).mtimeMs
  })
}

let entry: string | undefined

/** The cli.js to run: dist/ when fresh, else a transpiled copy of src/. */
export function latchkeyCli (): string {
  if (entry !== undefined) return entry
  const files = sourceFiles('src')
  if (distIsFresh(files)) return (entry = join(repo, 'dist', 'cli.js'))
  const out = transpileToTemp(files, 'latchkey-build')
  return (entry = join(out, 'src', 'cli.js'))
}

export interface GatewayProcess {
  url: string
  child: ChildProcess
  /** stdout JSON lines (parsed where they parse) */
  logs: string[]
  stderr (): string
  stop (): Promise<void>
}

export interface GatewayProcessOptions {
  /** node options before the CLI (a `--import` preload). */
  nodeArgs?: readonly string[]
  /** Environment variables the child must not inherit. */
  unset?: readonly string[]
}

/** Starts `latchkey start -c configFile` and resolves once it logs `latchkey listening`. */
export async function startGatewayProcess (t: TeardownHost, configFile: string, env: NodeJS.ProcessEnv, cwd: string,
  options: GatewayProcessOptions = {}): Promise<GatewayProcess> {
  const childEnv: NodeJS.ProcessEnv = { ...process.env, ...env }
  // tap's NODE_OPTIONS preloads its process tracking; the gateway does not need it.
  for (const name of ['NODE_OPTIONS', ...(options.unset ?? [])]) delete childEnv[name]
  const child = spawn(process.execPath, [...(options.nodeArgs ?? []), latchkeyCli(), 'start', '-c', configFile], { cwd, env: childEnv, stdio: ['ignore', 'pipe', 'pipe'] })
  const logs: string[] = []
  let stderr = ''
  let buffered = ''
  let onLine: ((line: string) => void) | undefined
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    buffered += chunk
    let nl: number
    while ((nl = buffered.indexOf('\n')) >= 0) {
      const line = buffered.slice(0, nl)
      buffered = buffered.slice(nl + 1)
      if (line === '') continue
      logs.push(line)
      onLine?.(line)
    }
  })
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => { stderr += chunk })

  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return
    const exited = once(child, 'exit')
    child.kill('SIGTERM')
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000)
    await exited
    clearTimeout(timer)
  }
  t.teardown(stop)

  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`latchkey did not start within 20 s; stderr: ${stderr}`)), 20_000)
    child.once('exit', (code) => {
      clearTimeout(timer)
      reject(new Error(`latchkey exited with ${code} before listening; stderr: ${stderr}; stdout: ${logs.join('\n')}`))
    })
    onLine = (line) => {
      try {
        const entry = JSON.parse(line) as { msg?: string, address?: string }
        if (entry.msg === 'latchkey listening' && typeof entry.address === 'string') {
          clearTimeout(timer)
          resolve(entry.address)
        }
      } catch {}
    }
    for (const line of logs) onLine(line)
  })
  return { url, child, logs, stderr: () => stderr, stop }
}
