import t from 'tap'
import { execFile } from 'node:child_process'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { promisify } from 'node:util'
import { BUILTIN_CONNECTORS } from '../../../src/catalog/builtin.js'

const run = promisify(execFile)
const CLI = path.resolve('dist/cli.js')

t.test('`connectors list --json` lists every built-in connector', async (t) => {
  const dir = await mkdtemp(path.join(tmpdir(), 'latchkey-catalog-'))
  t.teardown(() => rm(dir, { recursive: true, force: true }))
  const file = path.join(dir, 'latchkey.yaml')
  await writeFile(file, 'server:\n  port: 8081\n')
  const { stdout } = await run(process.execPath, [CLI, 'connectors', 'list', '--json', '-c', file], { env: { PATH: process.env.PATH } })
  const parsed = JSON.parse(stdout) as { connectors?: Array<{ slug: string, source: string }> } | Array<{ slug: string, source: string }>
  const list = Array.isArray(parsed) ? parsed : parsed.connectors ?? []
  const builtin = list.filter((c) => c.source === 'builtin').map((c) => c.slug).sort()
  t.same(builtin, Object.keys(BUILTIN_CONNECTORS).sort())
  t.ok(builtin.includes('salesforce') && builtin.includes('microsoft-graph') && builtin.includes('zendesk'))
})
