/**
 * SPEC 6.3: the caller's `Connection` header names fields to drop from the caller's own copy
 * only. forwardRequestHeaders runs before latchkey adds connector headers and auth, so a caller
 * cannot use it to strip what latchkey injects.
 */
import t from 'tap'
import { forwardRequestHeaders } from '../../src/proxy/header-hygiene.js'

t.test('headers named in Connection are removed from the caller copy', async (t) => {
  const out = forwardRequestHeaders({
    connection: 'keep-alive, Authorization, X-Api-Key , x-tenant',
    authorization: 'Bearer caller-jwt',
    'x-api-key': 'caller-value',
    'x-tenant': 'acme',
    'content-type': 'application/json',
  })
  t.same({ ...out }, { 'content-type': 'application/json' })
})

t.test('auth applied afterwards survives the caller asking to strip it', async (t) => {
  const out = forwardRequestHeaders({ connection: 'authorization, x-api-key', 'x-api-key': 'caller-value', accept: '*/*' })
  // What the proxy does next (SPEC 6.3: auth is applied last and always overwrites).
  out.authorization = 'Bearer upstream-token'
  out['x-api-key'] = 'injected'
  t.equal(out.authorization, 'Bearer upstream-token')
  t.equal(out['x-api-key'], 'injected')
  t.equal(out.accept, '*/*')
  t.notOk('connection' in out, 'Connection itself is hop-by-hop and never forwarded')
})

t.test('raw header arrays: any case, repeated Connection headers', async (t) => {
  const out = forwardRequestHeaders([
    'Connection', 'X-Secret-Marker',
    'CONNECTION', 'x-other',
    'X-Secret-Marker', 'a',
    'X-Other', 'b',
    'Accept', 'application/json',
  ])
  t.same({ ...out }, { accept: 'application/json' })
})
