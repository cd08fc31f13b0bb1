/**
 * SPEC 4: values never appear in logs, error bodies or `list` output. Runs the store and the
 * CLI through normal use and every failure path, captures everything they print, log or throw
 * (messages, stacks, causes, structured fields) and checks that no secret value and no master
 * key appears in any of it.
 */
import { randomBytes } from 'node:crypto'
import { readdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { inspect } from 'node:util'
import { pino } from 'pino'
import t from 'tap'
import { FileStore } from '../../src/secrets/file-store.js'
import { generateMasterKey, parseMasterKey } from '../../src/secrets/master-key.js'
import { openSealedStore } from '../../src/secrets/open-store.js'
import type { SealedStore } from '../../src/secrets/types.js'
import { cliHarness } from '../fixtures/secrets/cli-harness.js'
import { testRedis } from '../helpers/redis.js'

const marker = (label: string): string => `${label}-${randomBytes(8).toString('hex')}`

t.test('no secret value or master key appears in output, logs or errors', async t => {
  const values = {
    cliPlain: marker('cli-plain'),
    cliNewline: marker('cli-newline'),
    direct: marker('direct'),
    updated: marker('updated'),
    redis: marker('redis'),
    pastedAsName: `${marker('pasted')}-with-dash`,
    extraArgument: marker('extra-arg'),
  }
  const keyText = generateMasterKey()
  const newKeyText = generateMasterKey()
  const wrongKeyText = generateMasterKey()
  const badKeyText = Buffer.from(marker('short-key')).toString('base64') // valid base64, wrong length
  const key = parseMasterKey(keyText)

  let captured = ''
  const logger = pino({ level: 'trace' }, { write: (line: string) => { captured += line } })
  const consoleMethods = ['log', 'info', 'warn', 'error', 'debug', 'trace'] as const
  const saved = consoleMethods.map(m => console[m])
  for (const m of consoleMethods) console[m] = (...args: unknown[]) => { captured += inspect(args) + '\n' }
  t.teardown(() => { consoleMethods.forEach((m, i) => { console[m] = saved[i] as typeof console.log }) })

  /** Runs a step; a thrown error is logged the way the gateway logs it and kept in full. */
  const attempt = async (what: string, step: () => Promise<unknown>): Promise<void> => {
    try {
      const result = await step()
      logger.debug({ what, result: typeof result === 'string' ? '<string result>' : result }, 'step done')
    } catch (err) {
      logger.error({ err, what }, 'step failed')
      captured += inspect(err, { depth: 10, showHidden: true }) + '\n'
    }
  }

  // --- CLI, file store -------------------------------------------------------------------
  const path = t.testdir()
  const store = { type: 'file' as const, path }
  const cli = cliHarness({ env: { LATCHKEY_MASTER_KEY: keyText }, store })
  await cli.run(['secrets', 'set', 'cli_plain'], values.cliPlain)
  await cli.run(['secrets', 'set', 'cli_newline'], values.cliNewline + '\n')
  await cli.run(['secrets', 'list'])
  await cli.run(['secrets', 'set', values.pastedAsName], 'x') // value pasted where the name goes
  await cli.run(['secrets', 'set', 'extra', values.extraArgument]) // value given as an argument
  await cli.run(['secrets', 'delete', 'absent'])
  await cliHarness({ env: { LATCHKEY_MASTER_KEY: wrongKeyText }, store }).run(['secrets', 'list'])
  await cliHarness({ env: { LATCHKEY_MASTER_KEY: badKeyText }, store }).run(['secrets', 'list'])
  await cliHarness({ env: { LATCHKEY_MASTER_KEY: keyText, LATCHKEY_NEW_MASTER_KEY: badKeyText }, store }).run(['secrets', 'rotate-key'])
  captured += cli.transcript()

  // --- store API, file store ---------------------------------------------------------------
  const file = await FileStore.open(path, key, { reloadIntervalMs: 0 })
  logger.info({ store: file, key }, 'store opened') // a careless log of the whole store and key
  captured += inspect(file, { depth: 10, showHidden: true }) + inspect(key)
  await attempt('put', () => file.put('secret', 'direct', values.direct))
  await attempt('update', () => file.update('secret', 'direct', () => values.updated))
  await attempt('update that throws', () => file.update('secret', 'direct', () => { throw new Error('callback failed') }))
  await attempt('list', () => file.list('secret'))

  const storeFile = join(path, 'store.json')
  const filesAtRest = await Promise.all((await readdir(path)).map(f => readFile(join(path, f), 'utf8')))
  const body = JSON.parse(await readFile(storeFile, 'utf8')) as { records: Record<string, { ct: string }> }
  const direct = body.records['secret:direct'] as { ct: string }
  const ct = Buffer.from(direct.ct, 'base64')
  ct[0] = (ct[0] ?? 0) ^ 1
  body.records['secret:direct'] = { ...direct, ct: ct.toString('base64') }
  body.records['secret:moved'] = body.records['secret:cli_plain'] as { ct: string }
  await writeFile(storeFile, JSON.stringify(body))
  await attempt('get tampered', () => file.get('secret', 'direct'))
  await attempt('get moved', () => file.get('secret', 'moved'))
  await attempt('rotate with a bad record', () => file.rotateKey(parseMasterKey(newKeyText)))
  await attempt('open with the wrong key', () => openSealedStore(store, parseMasterKey(wrongKeyText)))
  await attempt('parse a bad key', async () => parseMasterKey(badKeyText))
  await writeFile(storeFile, `{"v":1,"records":{"secret:x":"${values.direct}"`) // broken JSON holding a value
  await attempt('open a broken file', () => FileStore.open(path, key))
  await file.close()

  // --- store API, redis store --------------------------------------------------------------
  const redis = await testRedis(t)
  const redisConfig = { type: 'redis' as const, url: redis.url, key_prefix: redis.prefix }
  let rstore: SealedStore | undefined
  await attempt('open redis', async () => { rstore = await openSealedStore(redisConfig, key) })
  await attempt('redis put', () => (rstore as SealedStore).put('secret', 'r', values.redis))
  await attempt('redis get', () => (rstore as SealedStore).get('secret', 'r'))
  await redis.client.hset(`${redis.prefix}store`, 'secret:copy', await redis.client.hget(`${redis.prefix}store`, 'secret:r') ?? '')
  await attempt('redis get moved', () => (rstore as SealedStore).get('secret', 'copy'))
  await attempt('redis rotate with a bad record', () => (rstore as SealedStore).rotateKey(parseMasterKey(newKeyText)))
  await attempt('redis wrong key', () => openSealedStore(redisConfig, parseMasterKey(wrongKeyText)))
  await (rstore as SealedStore).close()

  // --- what is at rest is sealed too -------------------------------------------------------
  const atRest = [...filesAtRest, JSON.stringify(await redis.client.hgetall(`${redis.prefix}store`))].join('\n')

  for (const m of consoleMethods) t.equal(typeof console[m], 'function')
  t.ok(captured.length > 1000, `captured ${captured.length} characters of output`)
  t.match(captured, 'failed to open: tampered, moved, or wrong key', 'the failures were exercised')
  t.match(captured, 'wrong LATCHKEY_MASTER_KEY?')
  t.match(captured, 'invalid secret name')
  t.match(captured, 'not valid JSON')

  const secrets: Record<string, string> = {
    ...values,
    keyText,
    newKeyText,
    wrongKeyText,
    badKeyText,
    keyHex: Buffer.from(key.bytes).toString('hex'),
    keyBytesList: Array.from(key.bytes.subarray(0, 8)).join(','),
  }
  for (const [label, secret] of Object.entries(secrets)) {
    t.notOk(captured.includes(secret), `${label} never printed, logged or thrown`)
  }
  t.ok(atRest.includes('secret:cli_plain') && atRest.includes('"kid"'), 'the records at rest were read')
  for (const [label, secret] of Object.entries(secrets)) {
    t.notOk(atRest.includes(secret), `${label} not stored in plain text`)
  }
})
