/**
 * Every resolved connection, from YAML or from the store, with or without its optional keys,
 * has the same keys in the same order (absent ones undefined): one object literal builds them
 * all, so V8 gives them one hidden class. A spread with keys added gave each connection a class
 * of its own (9,999 for 10,007 connections), which made every property read of a connection on
 * the request path megamorphic (docs/performance.md). The same-keys check is the part of that a
 * test can see without V8 internals.
 */
import t from 'tap'
import { resolveConnection } from '../../../src/config/resolve.js'
import { resolveStored } from '../../../src/connections/record.js'

const bare = resolveConnection('a', { connector: 'x' }, undefined, 'config')
const full = resolveConnection('b', {
  connector: 'x',
  auth: 'key',
  owner: 'user-1',
  config: { tenant: 'acme' },
  credentials: { api_key: "{{ get_secret('k') }}" },
  access: { callers: ['svc'], allow: ['GET /v1/**'] },
  rate_limit: { max: 10, window: '1m' },
}, undefined, 'config')
const stored = resolveStored({
  v: 1,
  id: 'c',
  connector: 'x',
  auth: 'key',
  owner: null,
  config: {},
  credentials: {},
  access: { users: true },
  status: 'connected',
  created_at: '2026-12-01T00:00:00.000Z',
  updated_at: '2026-12-01T00:00:00.000Z',
}, undefined)

t.test('YAML and stored connections, with and without optional keys, have one key order', async (t) => {
  const keys = Object.keys(bare)
  t.same(Object.keys(full), keys, 'all optional keys given')
  t.same(Object.keys(stored), keys, 'a stored connection')
  t.equal(bare.rate_limit, undefined)
  t.equal(bare.status, undefined, 'a YAML connection has no status')
  t.same(full.rate_limit, { max: 10, window: '1m' })
  t.equal(stored.status, 'connected')
  t.equal(stored.created_at, '2026-12-01T00:00:00.000Z')
})

t.test('defaults are unchanged: fail closed access, no owner, empty config and credentials', async (t) => {
  t.same(bare.access, { anonymous: false, callers: [], users: false })
  t.equal(bare.owner, null)
  t.same(bare.config, {})
  t.same(bare.credentials, {})
  t.same(full.access.allow, ['GET /v1/**'])
})
