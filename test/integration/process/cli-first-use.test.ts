/**
 * The CLI as an operator first meets it: `--version`; the development-key warning printed by
 * the command that generates the key and never again by CLI commands (`start` logs it); validate
 * warnings on stderr with `ok` and exit 0; `connectors list` showing each connector's inputs.
 */
import { repoPath } from '../../helpers/repo.js'
import { execFile } from 'node:child_process'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { promisify } from 'node:util'
import t from 'tap'
import { latchkeyCli } from '../../helpers/gateway-process.js'

const run = promisify(execFile)

async function cli (cwd: string, args: string[], input?: string): Promise<{ code: number, stdout: string, stderr: string }> {
  const env = { PATH: process.env.PATH ?? '' }
  const child = run(process.execPath, [latchkeyCli(), ...args], { cwd, env })
  if (input !== undefined) child.child.stdin!.end(input)
  try {
    const { stdout, stderr } = await child
    return { code: 0, stdout, stderr }
  } catch (err) {
    const e = err as { code: number, stdout: string, stderr: string }
    return { code: e.code, stdout: e.stdout, stderr: e.stderr }
  }
}

t.test('first use of the CLI', async (t) => {
  const dir = await mkdtemp(path.join(tmpdir(), 'latchkey-cli-first-'))
  t.teardown(() => rm(dir, { recursive: true, force: true }))
  const file = path.join(dir, 'latchkey.yaml')
  await writeFile(file, `store: { type: file, path: ./data }
connections:
  local: { connector: http, config: { base_url: "https://api.example.com" }, access: { anonymous: true } }
`)

  const version = await cli(dir, ['--version'])
  const pkg = JSON.parse(await readFile(repoPath('package.json'), 'utf8')) as { version: string }
  t.same(version, { code: 0, stdout: `${pkg.version}\n`, stderr: '' })

  const first = await cli(dir, ['secrets', 'set', 'demo', '-c', file], 'value-cli-first-9f8e')
  t.equal(first.code, 0)
  t.equal(first.stdout, 'stored secret demo\n')
  t.match(first.stderr, /^warning: generated a DEVELOPMENT master key at /, 'the command that generates the key says so')
  const again = await cli(dir, ['secrets', 'list', '-c', file])
  t.same(again, { code: 0, stdout: 'demo\n', stderr: '' }, 'later CLI commands do not repeat the warning')

  const listed = await cli(dir, ['connectors', 'list', '-c', file])
  t.equal(listed.code, 0)
  const http = listed.stdout.split('\n').find((line) => line.startsWith('http\t'))
  t.equal(http, 'http\tbuiltin\tHTTP\tnone:none,bearer:bearer\tinputs=base_url*,token', 'inputs, the required ones starred')

  await writeFile(file, '# nothing yet\n')
  const empty = await cli(dir, ['validate', '-c', file])
  t.same(empty, { code: 0, stdout: 'ok\n', stderr: `${file}:1:1: warning: the config is empty: latchkey would start with defaults and no connections (see config/latchkey.yaml for a first one)\n` })
})
