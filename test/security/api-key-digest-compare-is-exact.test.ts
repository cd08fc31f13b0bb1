/**
 * Defends: the api-key check compares SHA-256 digests held as latin1 text (one character per
 * byte, src/callers/api-keys.ts) exactly: a key whose digest differs from a configured one in any
 * single byte never matches, keys outside ASCII digest as UTF-8 (as `apiKeyDigest` does at load),
 * and digest bytes above 0x7f (which latin1 keeps as they are) compare like any other.
 */
import { createHash } from 'node:crypto'
import fc from 'fast-check'
import t from 'tap'
import { apiKeyDigest, buildApiKeyMatcher } from '../../src/callers/api-keys.js'

t.test('any presented key matches exactly the configured key that equals it', async (t) => {
  let wrong = 0
  fc.assert(fc.property(fc.string({ minLength: 1, maxLength: 40, unit: 'grapheme' }), fc.string({ minLength: 1, maxLength: 40, unit: 'grapheme' }), (configured, presented) => {
    const matcher = buildApiKeyMatcher([{ id: 'k', admin: false, sha256: apiKeyDigest(configured) }])
    if ((matcher.match(presented) !== undefined) !== (presented === configured)) wrong++
    if (matcher.match(configured)?.id !== 'k') wrong++
  }), { numRuns: 400 })
  t.equal(wrong, 0)
})

t.test('a digest that differs from the presented key\'s in one byte does not match', async (t) => {
  const presented = 'caf\u00e9-\u{1f511}-key'
  const digest = createHash('sha256').update(presented, 'utf8').digest()
  t.ok([...digest].some((b) => b > 0x7f), 'the digest has bytes above 0x7f')
  for (let at = 0; at < 32; at++) {
    for (const flip of [0x01, 0x80]) {
      const other = Buffer.from(digest)
      other[at]! ^= flip
      const matcher = buildApiKeyMatcher([{ id: 'near', admin: false, sha256: other }, { id: 'far', admin: false, sha256: Buffer.alloc(32, 7) }])
      if (matcher.match(presented) !== undefined) t.fail(`byte ${at} flipped by ${flip} still matched`)
    }
  }
  t.equal(buildApiKeyMatcher([{ id: 'exact', admin: false, sha256: digest }]).match(presented)?.id, 'exact')
})
