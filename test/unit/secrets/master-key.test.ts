import { createHash } from 'node:crypto'
import { readFile, stat, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import t from 'tap'
import { StoreError } from '../../../src/secrets/errors.js'
import { generateMasterKey, parseMasterKey, resolveMasterKey } from '../../../src/secrets/master-key.js'

t.test('parseMasterKey accepts base64 of 32 bytes and derives the key id', async t => {
  const text = generateMasterKey()
  const key = parseMasterKey(text)
  t.equal(key.bytes.length, 32)
  t.same(Buffer.from(key.bytes), Buffer.from(text, 'base64'))
  const expected = createHash('sha256').update(Buffer.from(text, 'base64')).digest().subarray(0, 8).toString('hex')
  t.equal(key.id, expected)
  t.match(key.id, /^[0-9a-f]{16}$/)
  t.equal(parseMasterKey(`  ${text}\n`).id, key.id, 'surrounding whitespace (a trailing newline) is ignored')
})

t.test('wrong length is the exact error and never echoes the key', async t => {
  const short = Buffer.alloc(16, 7).toString('base64')
  t.throws(() => parseMasterKey(short), {
    name: 'StoreError',
    code: 'invalid_key',
    message: 'LATCHKEY_MASTER_KEY must be base64 of exactly 32 bytes (got 16)',
  })
  const long = Buffer.alloc(33, 7).toString('base64')
  t.throws(() => parseMasterKey(long), { message: 'LATCHKEY_MASTER_KEY must be base64 of exactly 32 bytes (got 33)' })
  t.throws(() => parseMasterKey(''), { message: 'LATCHKEY_MASTER_KEY must be base64 of exactly 32 bytes (got 0)' })
  try {
    parseMasterKey(short)
  } catch (err) {
    t.notMatch((err as Error).message, short)
  }
})

t.test('bad base64 is an error, not a silently different key', async t => {
  const valid = generateMasterKey()
  // Buffer.from() would skip the '!' and still decode 32 bytes.
  const typo = valid.slice(0, 10) + '!' + valid.slice(10)
  t.throws(() => parseMasterKey(typo), {
    code: 'invalid_key',
    message: 'LATCHKEY_MASTER_KEY must be base64 of exactly 32 bytes (got invalid base64)',
  })
  t.throws(() => parseMasterKey('not a key at all'), { code: 'invalid_key' })
  t.throws(() => parseMasterKey('%%%', 'LATCHKEY_NEW_MASTER_KEY'), {
    message: 'LATCHKEY_NEW_MASTER_KEY must be base64 of exactly 32 bytes (got invalid base64)',
  }, 'the message names the variable it came from')
})

t.test('generateMasterKey returns a fresh 32-byte key each time', async t => {
  const a = generateMasterKey()
  const b = generateMasterKey()
  t.not(a, b)
  t.equal(Buffer.from(a, 'base64').length, 32)
})

t.test('resolveMasterKey prefers LATCHKEY_MASTER_KEY', async t => {
  const dir = t.testdir()
  const text = generateMasterKey()
  const warnings: string[] = []
  const key = await resolveMasterKey({ env: { LATCHKEY_MASTER_KEY: text }, store: { type: 'file', path: dir }, warn: m => warnings.push(m) })
  t.equal(key.id, parseMasterKey(text).id)
  t.same(warnings, [])
  await t.rejects(stat(join(dir, 'master.key')), { code: 'ENOENT' }, 'no dev key generated')
})

t.test('resolveMasterKey reads and trims LATCHKEY_MASTER_KEY_FILE', async t => {
  const dir = t.testdir()
  const text = generateMasterKey()
  const file = join(dir, 'key.txt')
  await writeFile(file, `${text}\n`)
  const key = await resolveMasterKey({ env: { LATCHKEY_MASTER_KEY_FILE: file }, store: { type: 'redis', url: 'redis://x' }, warn: () => t.fail('no warning') })
  t.equal(key.id, parseMasterKey(text).id)

  await writeFile(file, Buffer.alloc(8).toString('base64'))
  await t.rejects(resolveMasterKey({ env: { LATCHKEY_MASTER_KEY_FILE: file }, store: { type: 'file', path: dir }, warn: () => {} }), {
    code: 'invalid_key',
    message: `LATCHKEY_MASTER_KEY_FILE (${file}) must be base64 of exactly 32 bytes (got 8)`,
  })
  await t.rejects(resolveMasterKey({ env: { LATCHKEY_MASTER_KEY_FILE: join(dir, 'missing') }, store: { type: 'file', path: dir }, warn: () => {} }), {
    code: 'io',
    message: /cannot read master key file .*missing: ENOENT/,
  })
})

t.test('file store without a key: generates master.key once, mode 0600, with a loud warning', async t => {
  const dir = join(t.testdir(), 'data')
  const warnings: string[] = []
  const options = { env: {}, store: { type: 'file' as const, path: dir }, warn: (m: string) => warnings.push(m) }

  const first = await resolveMasterKey(options)
  const file = join(dir, 'master.key')
  t.equal((await stat(file)).mode & 0o777, 0o600)
  t.equal((await stat(dir)).mode & 0o777, 0o700)
  t.equal(parseMasterKey(await readFile(file, 'utf8')).id, first.id)
  t.equal(warnings.length, 1)
  t.match(warnings[0], /^generated a DEVELOPMENT master key at .*master\.key/)
  t.match(warnings[0], /LATCHKEY_MASTER_KEY/)
  t.notMatch(warnings[0], await readFile(file, 'utf8').then(s => s.trim()), 'the warning does not print the key')

  const again = await resolveMasterKey(options)
  t.equal(again.id, first.id, 'the second start reads the same key')
  t.match(warnings[1], /using the DEVELOPMENT master key/)
})

t.test('concurrent first runs agree on one generated key', async t => {
  const dir = t.testdir()
  const keys = await Promise.all(Array.from({ length: 12 }, () =>
    resolveMasterKey({ env: {}, store: { type: 'file', path: dir }, warn: () => {} })))
  t.equal(new Set(keys.map(k => k.id)).size, 1)
})

t.test('redis store without a key is a clear error', async t => {
  const err = await resolveMasterKey({ env: { LATCHKEY_MASTER_KEY: '  ' }, store: { type: 'redis', url: 'redis://127.0.0.1:6379' }, warn: () => {} })
    .catch((e: unknown) => e)
  t.ok(err instanceof StoreError)
  t.match(err, { code: 'missing_key', message: /the redis store needs a master key: set LATCHKEY_MASTER_KEY or LATCHKEY_MASTER_KEY_FILE/ })
})
