import t from 'tap'
import { generateMasterKey, parseMasterKey } from '../../../src/secrets/master-key.js'
import { openSealedStore } from '../../../src/secrets/open-store.js'
import type { StoreConfig } from '../../../src/secrets/types.js'
import { cliHarness } from '../../fixtures/secrets/cli-harness.js'

function setup (t: { testdir (): string }, env: Record<string, string | undefined> = {}): { cli: ReturnType<typeof cliHarness>, store: StoreConfig, keyText: string } {
  const keyText = generateMasterKey()
  const store: StoreConfig = { type: 'file', path: t.testdir() }
  return { cli: cliHarness({ env: { LATCHKEY_MASTER_KEY: keyText, ...env }, store }), store, keyText }
}

async function stored (store: StoreConfig, keyText: string, name: string): Promise<string | undefined> {
  const s = await openSealedStore(store, parseMasterKey(keyText))
  try {
    return await s.get('secret', name)
  } finally {
    await s.close()
  }
}

t.test('keygen prints a new base64 32-byte key', async t => {
  const { cli } = setup(t)
  const a = await cli.run(['keygen'])
  const b = await cli.run(['keygen'])
  t.equal(a.code, 0)
  t.equal(parseMasterKey(a.stdout).bytes.length, 32)
  t.match(a.stdout, /^[A-Za-z0-9+/]{43}=\n$/)
  t.not(a.stdout, b.stdout)
})

t.test('secrets set reads stdin and removes exactly one trailing newline', async t => {
  const { cli, store, keyText } = setup(t)
  const cases: Array<[string, string]> = [
    ['no_newline', 'abc'],
    ['lf', 'abc\n'],
    ['crlf', 'abc\r\n'],
    ['two_lf', 'abc\n\n'],
    ['spaces', '  padded  '],
    ['inner', 'line1\nline2\n'],
  ]
  const expected: Record<string, string> = { no_newline: 'abc', lf: 'abc', crlf: 'abc', two_lf: 'abc\n', spaces: '  padded  ', inner: 'line1\nline2' }
  for (const [name, stdin] of cases) {
    const run = await cli.run(['secrets', 'set', name], stdin)
    t.same(run, { code: 0, stdout: `stored secret ${name}\n`, stderr: '' })
    t.equal(await stored(store, keyText, name), expected[name], name)
  }
})

t.test('an empty value is an error', async t => {
  const { cli, store, keyText } = setup(t)
  for (const stdin of ['', '\n', '\r\n']) {
    const run = await cli.run(['secrets', 'set', 'empty'], stdin)
    t.equal(run.code, 1)
    t.match(run.stderr, /secret value is empty: pipe it on stdin/)
  }
  t.equal(await stored(store, keyText, 'empty'), undefined)
})

t.test('secrets list prints names one per line, never values', async t => {
  const { cli } = setup(t)
  t.same(await cli.run(['secrets', 'list']), { code: 0, stdout: '', stderr: '' }, 'empty store: no output')
  await cli.run(['secrets', 'set', 'zeta'], 'value-zeta')
  await cli.run(['secrets', 'set', 'alpha'], 'value-alpha')
  const run = await cli.run(['secrets', 'list'])
  t.same(run, { code: 0, stdout: 'alpha\nzeta\n', stderr: '' })
})

t.test('secrets delete removes, and fails with exit 1 when absent', async t => {
  const { cli, store, keyText } = setup(t)
  await cli.run(['secrets', 'set', 'gone'], 'x')
  t.same(await cli.run(['secrets', 'delete', 'gone']), { code: 0, stdout: 'deleted secret gone\n', stderr: '' })
  t.equal(await stored(store, keyText, 'gone'), undefined)
  t.same(await cli.run(['secrets', 'delete', 'gone']), { code: 1, stdout: '', stderr: 'latchkey: no secret named gone\n' })
})

t.test('secret names must match ^[A-Za-z_][A-Za-z0-9_]*$', async t => {
  const { cli } = setup(t)
  for (const name of ['1abc', 'has-dash', 'a b', 'dot.ted', 'ünï', '']) {
    for (const args of [['secrets', 'set', name], ['secrets', 'delete', name]]) {
      const run = await cli.run(args, 'value')
      t.equal(run.code, 1, `${args[1]} ${JSON.stringify(name)}`)
      t.match(run.stderr, /invalid secret name: use letters, digits and _, not starting with a digit/)
    }
  }
  for (const name of ['_x', 'A1', 'snake_case_2']) t.equal((await cli.run(['secrets', 'set', name], 'v')).code, 0, name)
})

t.test('secrets rotate-key re-seals everything under LATCHKEY_NEW_MASTER_KEY', async t => {
  const { cli, store, keyText } = setup(t)
  await cli.run(['secrets', 'set', 'a'], 'value-a')
  await cli.run(['secrets', 'set', 'b'], 'value-b')

  const missing = await cli.run(['secrets', 'rotate-key'])
  t.equal(missing.code, 1)
  t.match(missing.stderr, 'secrets rotate-key needs LATCHKEY_NEW_MASTER_KEY (create one with `latchkey keygen`)')

  const bad = await cliHarness({ env: { LATCHKEY_MASTER_KEY: keyText, LATCHKEY_NEW_MASTER_KEY: 'short' }, store }).run(['secrets', 'rotate-key'])
  t.same(bad, { code: 1, stdout: '', stderr: 'latchkey: LATCHKEY_NEW_MASTER_KEY must be base64 of exactly 32 bytes (got invalid base64)\n' })

  const same = await cliHarness({ env: { LATCHKEY_MASTER_KEY: keyText, LATCHKEY_NEW_MASTER_KEY: keyText }, store }).run(['secrets', 'rotate-key'])
  t.equal(same.code, 1)
  t.match(same.stderr, /is the current master key: nothing to rotate/)

  const nextText = generateMasterKey()
  const next = parseMasterKey(nextText)
  const rotated = await cliHarness({ env: { LATCHKEY_MASTER_KEY: keyText, LATCHKEY_NEW_MASTER_KEY: nextText }, store }).run(['secrets', 'rotate-key'])
  t.equal(rotated.code, 0)
  t.match(rotated.stdout, `re-sealed 2 records with key ${next.id}\n`)
  t.equal(await stored(store, nextText, 'a'), 'value-a')

  const old = await cli.run(['secrets', 'list'])
  t.equal(old.code, 1, 'the old key no longer opens the store')
  t.match(old.stderr, `configured master key is ${parseMasterKey(keyText).id}: wrong LATCHKEY_MASTER_KEY?`)
})

t.test('commander usage errors exit 1 too', async t => {
  const { cli } = setup(t)
  t.equal((await cli.run(['secrets', 'set'])).code, 1, 'missing name')
  t.equal((await cli.run(['secrets', 'set', 'a', 'extra'])).code, 1, 'extra argument')
})

t.test('without any key the file store generates a development key with a warning', async t => {
  const store: StoreConfig = { type: 'file', path: t.testdir() }
  const cli = cliHarness({ env: {}, store })
  const run = await cli.run(['secrets', 'set', 'a'], 'v')
  t.equal(run.code, 0)
  t.match(run.stderr, /generated a DEVELOPMENT master key/)
})
