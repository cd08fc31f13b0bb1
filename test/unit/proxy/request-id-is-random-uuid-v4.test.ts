/**
 * Defends: a request id latchkey makes (src/proxy/request-id.ts) is a version 4 UUID in the form
 * of crypto.randomUUID(): lower-case hex, version 4, variant 10xx, never the same twice, and it
 * keeps that form across refills of its random pool.
 */
import t from 'tap'
import { newRequestId } from '../../../src/proxy/request-id.js'

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/

t.test('version 4 UUIDs, all different, over many pool refills', async (t) => {
  const seen = new Set<string>()
  let malformed = 0
  for (let i = 0; i < 50_000; i++) {
    const id = newRequestId()
    if (!UUID_V4.test(id)) malformed++
    seen.add(id)
  }
  t.equal(malformed, 0)
  t.equal(seen.size, 50_000)
})

t.test('every hex digit position varies', async (t) => {
  // A digit stuck at one value would mean a byte written to the wrong place.
  const digits = Array.from({ length: 36 }, () => new Set<string>())
  for (let i = 0; i < 2_000; i++) [...newRequestId()].forEach((c, at) => digits[at]!.add(c))
  for (const [at, set] of digits.entries()) {
    if ([8, 13, 18, 23].includes(at)) t.same([...set], ['-'], `dash at ${at}`)
    else if (at === 14) t.same([...set], ['4'], 'the version digit')
    else if (at === 19) t.same([...set].sort(), ['8', '9', 'a', 'b'], 'the variant digit')
    else t.equal(set.size, 16, `position ${at} takes every hex digit`)
  }
})
