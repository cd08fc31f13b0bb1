import t from 'tap'
import { createHash } from 'node:crypto'
import { apiKeyDigest, apiKeyDigestFromHex, buildApiKeyMatcher } from '../../../src/callers/api-keys.js'
import { GatewayError } from '../../../src/errors.js'

const hex = (s: string) => createHash('sha256').update(s).digest('hex')

const matcher = buildApiKeyMatcher([
  { id: 'billing', admin: false, sha256: apiKeyDigest('billing-secret-key') },
  { id: 'ops', admin: true, sha256: apiKeyDigestFromHex(hex('ops-secret-key').toUpperCase()) },
])

t.test('a configured plaintext key matches its id', async (t) => {
  t.same(matcher.match('billing-secret-key'), { id: 'billing', admin: false })
})

t.test('a key_sha256 entry matches the key it digests, admin flag kept', async (t) => {
  t.same(matcher.match('ops-secret-key'), { id: 'ops', admin: true })
})

t.test('anything else matches nothing', async (t) => {
  for (const presented of ['', 'billing-secret-ke', 'billing-secret-key ', 'BILLING-SECRET-KEY', hex('ops-secret-key'), 'x'.repeat(10_000)]) {
    t.equal(matcher.match(presented), undefined, JSON.stringify(presented.slice(0, 20)))
  }
})

t.test('an empty matcher matches nothing', async (t) => {
  t.equal(buildApiKeyMatcher([]).match('anything'), undefined)
})

t.test('load-time refusals', async (t) => {
  t.throws(() => apiKeyDigest(''), GatewayError)
  t.throws(() => apiKeyDigestFromHex('abc'), { code: 'config_invalid' })
  t.throws(() => buildApiKeyMatcher([{ id: 'a', admin: false, sha256: Buffer.alloc(16) }]), { code: 'config_invalid' })
  t.throws(() => buildApiKeyMatcher([
    { id: 'a', admin: false, sha256: apiKeyDigest('same') },
    { id: 'b', admin: true, sha256: apiKeyDigest('same') },
  ]), { code: 'config_invalid', message: "api keys 'a' and 'b' have the same key" })
})
