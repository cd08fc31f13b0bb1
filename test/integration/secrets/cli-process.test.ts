/**
 * The secrets commands as a real process with stdin piped, the way an operator runs
 * `printf %s "$VALUE" | latchkey secrets set NAME`.
 */
import t from 'tap'
import { generateMasterKey, parseMasterKey } from '../../../src/secrets/master-key.js'
import { FileStore } from '../../../src/secrets/file-store.js'
import { runFixture } from '../../fixtures/secrets/spawn-ts.js'

t.test('secrets set reads piped stdin to the end in a real process', async t => {
  const dir = t.testdir()
  const keyText = generateMasterKey()
  const env = { LATCHKEY_MASTER_KEY: keyText, LATCHKEY_TEST_STORE_PATH: dir }
  const cli = (args: string[], stdin = '', extra: Record<string, string> = {}): ReturnType<typeof runFixture> =>
    runFixture('cli-main.ts', args, { stdin, env: { ...env, ...extra } })

  const big = 'x'.repeat(300_000) + 'end' // more than one pipe buffer: stdin is read to the end
  const [a, b, c, absent] = await Promise.all([
    cli(['secrets', 'set', 'no_newline'], 'kept as is'),
    cli(['secrets', 'set', 'with_newline'], 'trimmed once\n'),
    cli(['secrets', 'set', 'big'], big + '\r\n'),
    cli(['secrets', 'delete', 'nope']),
  ])
  for (const run of [a, b, c]) t.equal(run.code, 0, run.stderr)
  t.equal(a.stdout, 'stored secret no_newline\n')
  t.same({ code: absent.code, stderr: absent.stderr }, { code: 1, stderr: 'latchkey: no secret named nope\n' }, 'a failure exits 1 with one line on stderr')

  const store = await FileStore.open(dir, parseMasterKey(keyText))
  t.same(await store.list('secret'), ['big', 'no_newline', 'with_newline'])
  t.equal(await store.get('secret', 'no_newline'), 'kept as is')
  t.equal(await store.get('secret', 'with_newline'), 'trimmed once')
  t.equal(await store.get('secret', 'big'), big)
})
