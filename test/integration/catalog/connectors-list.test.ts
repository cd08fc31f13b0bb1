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
  // The shape the command prints (src/commands/catalog.ts), the same as GET /admin/connectors.
  const parsed = JSON.parse(stdout) as { connectors: Array<{ slug: string, source: string }> }
  t.same(Object.keys(parsed), ['connectors'], 'one object with a connectors array')
  t.ok(Array.isArray(parsed.connectors))
  const list = parsed.connectors
  const slugs = list.map((c) => c.slug)
  t.same(slugs, [...slugs].sort((a, b) => a.localeCompare(b)), 'sorted by slug')
  const builtin = list.filter((c) => c.source === 'builtin').map((c) => c.slug).sort()
  t.same(builtin, Object.keys(BUILTIN_CONNECTORS).sort())
  t.ok(builtin.includes('salesforce') && builtin.includes('microsoft-graph') && builtin.includes('zendesk'))
})
