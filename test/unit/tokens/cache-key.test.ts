/** SPEC 7.1: the token cache key follows every rendered field and reveals none of them. */
import t from 'tap'
import { tokenKeyer } from '../../../src/tokens/cache-key.js'

t.test('token cache keys', async (t) => {
  const key = tokenKeyer(new Uint8Array(32).fill(7))
  const fields = { url: 'https://idp/token', id: 'client', secret: 's3cret-value', scope: 'read' }
  const a = key(['conn/cc', 'oauth_client_credentials', false, fields])
  t.equal(a, key(['conn/cc', 'oauth_client_credentials', false, { ...fields }]), 'deterministic')
  t.match(a, /^[A-Za-z0-9_-]{43}$/, 'an HMAC-SHA256 digest, base64url')
  t.notOk(a.includes('s3cret') || a.includes('client') || a.includes('conn'), 'reveals nothing')
  t.not(a, key(['conn/cc', 'oauth_client_credentials', false, { ...fields, secret: 'rotated' }]), 'a new client secret is a new key')
  t.not(a, key(['conn/cc', 'oauth_client_credentials', false, { ...fields, scope: 'read write' }]), 'a new scope is a new key')
  t.not(a, key(['other/cc', 'oauth_client_credentials', false, fields]), 'another connection is another key')
  t.not(a, key(['conn/cc', 'oauth_client_credentials', true, fields]), 'client_auth is part of it')
  t.not(a, tokenKeyer(new Uint8Array(32).fill(8))(['conn/cc', 'oauth_client_credentials', false, fields]), 'another master key, another key space')
})
