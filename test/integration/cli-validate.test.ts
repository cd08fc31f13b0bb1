import t from 'tap'
import { execFile } from 'node:child_process'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { promisify } from 'node:util'

const run = promisify(execFile)
const CLI = path.resolve('dist/cli.js')

async function validate (t: { teardown: (fn: () => unknown) => void }, yaml: string): Promise<{ code: number, stdout: string, stderr: string, file: string }> {
  const dir = await mkdtemp(path.join(tmpdir(), 'latchkey-validate-'))
  t.teardown(() => rm(dir, { recursive: true, force: true }))
  const file = path.join(dir, 'latchkey.yaml')
  await writeFile(file, yaml)
  try {
    const { stdout, stderr } = await run(process.execPath, [CLI, 'validate', '-c', file], { env: { PATH: process.env.PATH } })
    return { code: 0, stdout, stderr, file }
  } catch (err) {
    const e = err as { code: number, stdout: string, stderr: string }
    return { code: e.code, stdout: e.stdout, stderr: e.stderr, file }
  }
}

t.test('a valid config prints ok and exits 0', async (t) => {
  const r = await validate(t, 'server:\n  port: 8081\n')
  t.equal(r.code, 0)
  t.equal(r.stdout, 'ok\n')
})

t.test('each problem is one FILE:LINE:COL: message line, exit 1', async (t) => {
  const r = await validate(t, `server:
  port: 8080
  hots: x
connections:
  w:
    connector: nope
`)
  t.equal(r.code, 1)
  t.equal(r.stderr, '')
  t.same(r.stdout.trim().split('\n'), [
    `${r.file}:3:3: server: unknown key 'hots'`,
    `${r.file}:6:16: connections.w.connector: unknown connector 'nope'`,
  ], 'every problem at once, shape and cross-references alike, on stdout')
})

t.test('semantic problems are positioned too', async (t) => {
  const r = await validate(t, `connections:
  w:
    connector: nope
`)
  t.equal(r.code, 1)
  t.equal(r.stdout, `${r.file}:3:16: connections.w.connector: unknown connector 'nope'\n`)
})

t.test('a missing file is reported, exit 1', async (t) => {
  try {
    await run(process.execPath, [CLI, 'validate', '-c', '/nonexistent/latchkey.yaml'])
    t.fail('must exit 1')
  } catch (err) {
    const e = err as { code: number, stdout: string }
    t.equal(e.code, 1)
    t.equal(e.stdout, '/nonexistent/latchkey.yaml:1:1: file not found\n')
  }
})

t.test('the shipped configs are valid', async (t) => {
  for (const file of ['config/latchkey.yaml', 'config/latchkey.compose.yaml']) {
    const { stdout } = await run(process.execPath, [CLI, 'validate', '-c', file], { env: { PATH: process.env.PATH } })
    t.equal(stdout, 'ok\n', file)
  }
})
