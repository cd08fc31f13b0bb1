/**
 * The README's quick start and first-connection blocks (the fenced blocks after
 * `<!-- readme-test: quick-start -->` and `<!-- readme-test: walkthrough -->`), run as written in
 * one bash, in a fresh project folder (test/helpers/npm-project.ts), ending in a proxied call.
 *
 * What stands in for the outside world, and nothing else: `api.github.com` is an HTTPS fake on
 * a loopback address (test CA through NODE_EXTRA_CA_CERTS, the DNS preload of the catalog
 * tests resolving only that name); `npm install` is a no-op (node_modules is linked: a real
 * install would reach the registry); and port 8080 becomes a free port in the commands and in
 * LATCHKEY_PORT, since tests run side by side on one machine.
 */
import { repoPath } from '../../helpers/repo.js'
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises'
import { createServer } from 'node:https'
import type { Server } from 'node:https'
import { join } from 'node:path'
import t from 'tap'
import { makePki, PRELOAD } from '../../helpers/provider-hosts.js'
import { npmProject, processGone } from '../../helpers/npm-project.js'
import { freePort } from '../../helpers/redis.js'

const GITHUB_TOKEN = 'ghp_readmeQuickStart0123456789abcdef'

/** The fenced block that follows each marker, in README order. */
export function markedBlocks (readme: string, markers: readonly string[]): string[] {
  return markers.map((marker) => {
    const at = readme.indexOf(`<!-- readme-test: ${marker} -->`)
    if (at < 0) throw new Error(`README has no readme-test marker ${marker}`)
    const block = /```sh\n([\s\S]*?)```/.exec(readme.slice(at))
    if (block === null) throw new Error(`no sh block after the ${marker} marker`)
    return block[1]!
  })
}

async function listenOnLoopback443 (server: Server): Promise<string> {
  for (let i = 0; i < 20; i++) {
    const address = `127.0.0.${2 + Math.floor(Math.random() * 253)}`
    try {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject)
        server.listen(443, address, () => { server.off('error', reject); resolve() })
      })
      return address
    } catch {}
  }
  throw new Error('no free 127.0.0.x:443')
}

t.test('the README quick start ends in a proxied call', async (t) => {
  const readme = await readFile(repoPath('README.md'), 'utf8')
  const port = await freePort()
  const script = markedBlocks(readme, ['quick-start', 'walkthrough']).join('\n').replaceAll('127.0.0.1:8080', `127.0.0.1:${port}`)

  const pki = await makePki(['api.github.com'])
  const received: Array<{ method: string, url: string, headers: Record<string, string | string[] | undefined> }> = []
  const github = createServer({ cert: pki.certPem, key: pki.keyPem }, (req, res) => {
    received.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers })
    res.writeHead(200, { 'content-type': 'application/json' }).end('{"login":"octocat-readme"}')
  })
  const address = await listenOnLoopback443(github)
  t.teardown(() => new Promise<void>((resolve) => { github.closeAllConnections(); github.close(() => resolve()) }))

  const project = await npmProject(t)
  const bin = join(project.dir, '.test-bin')
  await mkdir(bin)
  const realNpm = (await new Promise<string>((resolve) => {
    const which = spawn('bash', ['-c', 'command -v npm'], { stdio: ['ignore', 'pipe', 'ignore'] })
    let out = ''
    which.stdout.on('data', (c: Buffer) => { out += c.toString() })
    which.on('exit', () => resolve(out.trim()))
  }))
  await writeFile(join(bin, 'npm'), `#!/usr/bin/env bash\nif [ "$1" = install ]; then echo "(test: npm install skipped, node_modules is linked)"; exit 0; fi\nexec "${realNpm}" "$@"\n`)
  await chmod(join(bin, 'npm'), 0o755)
  const caFile = join(project.dir, '.test-ca.pem')
  await writeFile(caFile, pki.caPem)

  const env: NodeJS.ProcessEnv = {
    ...project.env,
    PATH: `${bin}:${project.env.PATH ?? ''}`,
    GITHUB_TOKEN,
    LATCHKEY_PORT: String(port),
    NODE_OPTIONS: `--import=${PRELOAD}`,
    NODE_EXTRA_CA_CERTS: caFile,
    LATCHKEY_TEST_PROVIDER_HOSTS: 'api.github.com',
    LATCHKEY_TEST_PROVIDER_ADDRESS: address,
  }
  const shell = spawn('bash', ['-euo', 'pipefail', '-c', script], { cwd: project.dir, env, stdio: ['ignore', 'pipe', 'pipe'] })
  let stdout = ''
  let stderr = ''
  shell.stdout.on('data', (c: Buffer) => { stdout += c.toString() })
  shell.stderr.on('data', (c: Buffer) => { stderr += c.toString() })
  const timer = setTimeout(() => shell.kill('SIGKILL'), 90_000)
  const [code] = await once(shell, 'exit') as [number | null]
  clearTimeout(timer)

  const gatewayPid = /"msg":"latchkey listening"/.test(stdout) ? Number(/"pid":(\d+)[^\n]*"msg":"latchkey listening"|"msg":"latchkey listening"[^\n]*"pid":(\d+)/.exec(stdout)?.slice(1).find((x) => x !== undefined)) : undefined
  t.teardown(() => { if (gatewayPid !== undefined) try { process.kill(gatewayPid, 'SIGKILL') } catch {} })

  t.equal(code, 0, `the commands ran as written\n--- stdout\n${stdout}\n--- stderr\n${stderr}`)
  const key = /^caller key: ([0-9a-f]{48})$/m.exec(stdout)?.[1]
  t.ok(key, 'the caller key is shown once, by the shell that made it')
  t.match(stdout, /^stored secret dev_caller_key$/m)
  t.match(stdout, /^dev_caller_key\ngithub_token$/m, 'secrets list: names only')
  t.match(stdout, /^\{"login":"octocat-readme"\}$/m, 'curl printed the upstream answer')

  t.equal(received.length, 1, 'one request reached api.github.com')
  const [call] = received
  t.equal(call?.method, 'GET')
  t.equal(call?.url, '/user')
  t.equal(call?.headers.authorization, `Bearer ${GITHUB_TOKEN}`, 'latchkey injected the GitHub token')
  t.equal(call?.headers['x-latchkey-key'], undefined, 'the caller key never travels upstream')

  t.ok(gatewayPid !== undefined, 'the listening line names the gateway pid')
  t.ok(await processGone(gatewayPid!, 10_000), 'kill $! (npm) stopped the gateway')
  t.notOk(stdout.includes(GITHUB_TOKEN) || stderr.includes(GITHUB_TOKEN), 'the GitHub token is never printed')
  if (key !== undefined) t.notOk(stdout.replace(`caller key: ${key}`, '').includes(key), 'the caller key is printed only by echo')
})
