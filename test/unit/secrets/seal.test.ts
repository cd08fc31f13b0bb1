import t from 'tap'
import { generateMasterKey, parseMasterKey } from '../../../src/secrets/master-key.js'
import { createSealer, parseSealedRecord, recordIdentity } from '../../../src/secrets/seal.js'

const key = parseMasterKey(generateMasterKey())
const other = parseMasterKey(generateMasterKey())

t.test('seal and open round trip, including unicode and empty strings', async t => {
  const sealer = await createSealer(key)
  for (const value of ['s3cr3t', '', 'ünïcødé ✓ 🔑', 'line\nbreak', 'x'.repeat(100_000)]) {
    const record = sealer.seal('secret:a', value)
    t.equal(sealer.open('secret:a', record), value)
  }
})

t.test('the record is { v: 1, kid, nonce, ct } with a fresh 24-byte nonce each time', async t => {
  const sealer = await createSealer(key)
  const a = sealer.seal('secret:a', 'same')
  const b = sealer.seal('secret:a', 'same')
  t.same(Object.keys(a).sort(), ['ct', 'kid', 'nonce', 'v'])
  t.equal(a.v, 1)
  t.equal(a.kid, key.id)
  t.equal(Buffer.from(a.nonce, 'base64').length, 24)
  t.not(a.nonce, b.nonce)
  t.not(a.ct, b.ct)
  t.notMatch(JSON.stringify(a), 'same')
})

t.test('associated data binds the record to its identity', async t => {
  const sealer = await createSealer(key)
  const record = sealer.seal(recordIdentity('secret', 'a'), 'value-a')
  t.throws(() => sealer.open(recordIdentity('secret', 'b'), record), {
    name: 'StoreError',
    code: 'tampered',
    message: 'record secret:b failed to open: tampered, moved, or wrong key',
  })
  t.throws(() => sealer.open(recordIdentity('connection', 'a'), record), { code: 'tampered' }, 'same id, other kind')
})

t.test('a flipped ciphertext or nonce byte fails to open', async t => {
  const sealer = await createSealer(key)
  const record = sealer.seal('secret:x', 'value')
  const ct = Buffer.from(record.ct, 'base64')
  ct[0] = (ct[0] ?? 0) ^ 1
  t.throws(() => sealer.open('secret:x', { ...record, ct: ct.toString('base64') }), {
    code: 'tampered',
    message: 'record secret:x failed to open: tampered, moved, or wrong key',
  })
  const nonce = Buffer.from(record.nonce, 'base64')
  nonce[23] = (nonce[23] ?? 0) ^ 0x80
  t.throws(() => sealer.open('secret:x', { ...record, nonce: nonce.toString('base64') }), { code: 'tampered' })
})

t.test('a record of another key says which keys differ', async t => {
  const sealed = (await createSealer(other)).seal('secret:x', 'value')
  const sealer = await createSealer(key)
  t.throws(() => sealer.open('secret:x', sealed), {
    code: 'wrong_key',
    message: `record secret:x: sealed with key ${other.id}, configured master key is ${key.id}: wrong LATCHKEY_MASTER_KEY?`,
  })
  // A kid rewritten to match does not help: authentication still fails.
  t.throws(() => sealer.open('secret:x', { ...sealed, kid: key.id }), { code: 'tampered' })
})

t.test('parseSealedRecord rejects malformed records by name only', async t => {
  const good = (await createSealer(key)).seal('secret:x', 'v')
  t.same(parseSealedRecord(JSON.stringify(good), 'secret:x'), good)
  t.same(parseSealedRecord(good, 'secret:x'), good)
  for (const bad of ['not json', '{}', JSON.stringify({ ...good, v: 2 }), JSON.stringify({ ...good, nonce: 'AAAA' }), null, 42, { ...good, ct: 'plain text!' }]) {
    t.throws(() => parseSealedRecord(bad, 'secret:x'), { code: 'corrupt', message: 'record secret:x is not a valid sealed record' })
  }
})
