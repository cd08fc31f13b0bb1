/**
 * Sealed records are authenticated: a changed byte, a record moved to another name, or a
 * wrong master key is an error naming the problem, never garbage or another record's value.
 */
import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import t from 'tap'
import { generateMasterKey, parseMasterKey } from '../../src/secrets/master-key.js'
import { openSealedStore } from '../../src/secrets/open-store.js'
import { testRedis } from '../helpers/redis.js'

const key = parseMasterKey(generateMasterKey())

interface RawRecord { v: 1, kid: string, nonce: string, ct: string }

function flipCiphertextByte (record: RawRecord): RawRecord {
  const ct = Buffer.from(record.ct, 'base64')
  const i = Math.floor(ct.length / 2)
  ct[i] = (ct[i] ?? 0) ^ 0x01
  return { ...record, ct: ct.toString('base64') }
}

t.test('file store', async t => {
  const path = t.testdir()
  const file = join(path, 'store.json')
  const store = await openSealedStore({ type: 'file', path, }, key, { file: { reloadIntervalMs: 0 } })
  t.teardown(() => store.close())
  await store.put('secret', 'a', 'value-a')
  await store.put('secret', 'b', 'value-b')
  const edit = async (change: (records: Record<string, RawRecord>) => void): Promise<void> => {
    const body = JSON.parse(await readFile(file, 'utf8')) as { records: Record<string, RawRecord> }
    change(body.records)
    await writeFile(file, JSON.stringify(body))
  }

  t.test('one flipped ciphertext byte is detected', async t => {
    await edit(r => { r['secret:a'] = flipCiphertextByte(r['secret:a'] as RawRecord) })
    await t.rejects(store.get('secret', 'a'), { code: 'tampered', message: 'record secret:a failed to open: tampered, moved, or wrong key' })
    t.equal(await store.get('secret', 'b'), 'value-b', 'other records still open')
    await store.put('secret', 'a', 'value-a')
  })

  t.test('a record copied to another name does not open as that name', async t => {
    await edit(r => { r['secret:b'] = r['secret:a'] as RawRecord })
    await t.rejects(store.get('secret', 'b'), { code: 'tampered', message: 'record secret:b failed to open: tampered, moved, or wrong key' })
  })

  t.test('a record moved across kinds does not open either', async t => {
    await edit(r => { r['connection:a'] = r['secret:a'] as RawRecord })
    await t.rejects(store.get('connection', 'a'), { code: 'tampered' })
  })

  t.test('the wrong master key is refused at open, saying what is wrong', async t => {
    const wrong = parseMasterKey(generateMasterKey())
    const err = await openSealedStore({ type: 'file', path }, wrong).catch((e: unknown) => e)
    t.match(err, { name: 'StoreError', code: 'wrong_key', message: `sealed with key ${key.id}, configured master key is ${wrong.id}: wrong LATCHKEY_MASTER_KEY?` })
  })
})

t.test('redis store', async t => {
  const { url, prefix, client } = await testRedis(t)
  const hash = `${prefix}store`
  const store = await openSealedStore({ type: 'redis', url, key_prefix: prefix }, key)
  t.teardown(() => store.close())
  await store.put('secret', 'a', 'value-a')
  await store.put('secret', 'b', 'value-b')
  const rawA = JSON.parse(await client.hget(hash, 'secret:a') ?? '{}') as RawRecord

  await client.hset(hash, 'secret:a', JSON.stringify(flipCiphertextByte(rawA)))
  await t.rejects(store.get('secret', 'a'), { code: 'tampered', message: 'record secret:a failed to open: tampered, moved, or wrong key' })

  await client.hset(hash, 'secret:b', JSON.stringify(rawA))
  await t.rejects(store.get('secret', 'b'), { code: 'tampered', message: 'record secret:b failed to open: tampered, moved, or wrong key' })

  const wrong = parseMasterKey(generateMasterKey())
  await t.rejects(openSealedStore({ type: 'redis', url, key_prefix: prefix }, wrong), {
    code: 'wrong_key',
    message: `configured master key is ${wrong.id}: wrong LATCHKEY_MASTER_KEY?`,
  })
})
