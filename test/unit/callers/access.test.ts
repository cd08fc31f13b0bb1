import t from 'tap'
import { compileAccess, compileAllowRule } from '../../../src/callers/access.js'
import type { Caller } from '../../../src/callers/types.js'

const anon: Caller = { kind: 'anonymous', id: null }
const billing: Caller = { kind: 'api_key', id: 'billing', admin: false }
const admin: Caller = { kind: 'api_key', id: 'ops', admin: true }
const alice: Caller = { kind: 'user', id: 'alice', claims: { sub: 'alice' } }
const bob: Caller = { kind: 'user', id: 'bob', claims: { sub: 'bob' } }

const closed = { anonymous: false, callers: [] as string[], users: false as const }

function outcome (policy: Parameters<typeof compileAccess>[0], caller: Caller, owner: string | null, method = 'GET', path = '/'): string {
  try {
    compileAccess(policy).check(caller, method, path, owner)
    return 'ok'
  } catch (err) {
    return (err as { code: string }).code
  }
}

t.test('who is admitted', async (t) => {
  const table: Array<[string, Parameters<typeof compileAccess>[0], Caller, string | null, string]> = [
    ['defaults admit nobody: anonymous', closed, anon, null, 'forbidden'],
    ['defaults admit nobody: api key', closed, billing, null, 'forbidden'],
    ['defaults admit nobody: admin key', closed, admin, null, 'forbidden'],
    ['defaults admit nobody: user', closed, alice, 'alice', 'forbidden'],
    ['anonymous: true admits anonymous', { ...closed, anonymous: true }, anon, null, 'ok'],
    ['anonymous: true does not admit keys', { ...closed, anonymous: true }, billing, null, 'forbidden'],
    ['listed key', { ...closed, callers: ['billing'] }, billing, null, 'ok'],
    ['unlisted key', { ...closed, callers: ['billing'] }, admin, null, 'forbidden'],
    ['"*" admits any key', { ...closed, callers: ['*'] }, admin, null, 'ok'],
    ['"*" does not admit users', { ...closed, callers: ['*'] }, alice, null, 'forbidden'],
    ['"*" does not admit anonymous', { ...closed, callers: ['*'] }, anon, null, 'forbidden'],
    ['users: true admits any user', { ...closed, users: true }, bob, 'alice', 'ok'],
    ['users: true does not admit keys', { ...closed, users: true }, billing, null, 'forbidden'],
    ['users: owner admits the owner', { ...closed, users: 'owner' }, alice, 'alice', 'ok'],
    ['users: owner refuses another user', { ...closed, users: 'owner' }, bob, 'alice', 'forbidden'],
    ['users: owner with null owner admits no one', { ...closed, users: 'owner' }, alice, null, 'forbidden'],
    ['users: false refuses users', { ...closed, callers: ['*'] }, alice, 'alice', 'forbidden'],
  ]
  for (const [name, policy, caller, owner, expected] of table) t.equal(outcome(policy, caller, owner), expected, name)
})

t.test('the forbidden message says nothing about the owner', async (t) => {
  t.throws(() => compileAccess({ ...closed, users: 'owner' }).check(bob, 'GET', '/', 'alice'),
    { code: 'forbidden', status: 403, message: 'this caller may not use this connection' })
})

t.test('allow rules are checked after admission', async (t) => {
  const policy = { ...closed, callers: ['*'], allow: ['GET /v1/**'] }
  t.equal(outcome(policy, anon, null, 'POST', '/admin'), 'forbidden')
  t.equal(outcome(policy, billing, null, 'POST', '/v1/x'), 'route_not_allowed')
  t.equal(outcome(policy, billing, null, 'GET', '/v1/x'), 'ok')
  t.equal(outcome({ ...policy, allow: [] }, billing, null, 'GET', '/v1/x'), 'route_not_allowed', 'an empty list admits nothing')
  t.equal(outcome({ ...closed, callers: ['*'] }, billing, null, 'DELETE', '/anything/at/all'), 'ok', 'omitted admits all')
})

t.test('glob table', async (t) => {
  const table: Array<[string, string, string, boolean]> = [
    ['GET /v1/**', 'GET', '/v1', true],
    ['GET /v1/**', 'GET', '/v1/', true],
    ['GET /v1/**', 'GET', '/v1/items', true],
    ['GET /v1/**', 'GET', '/v1/items/1/parts', true],
    ['GET /v1/**', 'POST', '/v1/items', false],
    ['GET /v1/**', 'get', '/v1/items', false],
    ['GET /v1/**', 'GET', '/v10/items', false],
    ['GET /v1/**', 'GET', '/v2/v1/items', false],
    ['GET /v1/**', 'GET', '/', false],
    ['* /items/*', 'GET', '/items/1', true],
    ['* /items/*', 'DELETE', '/items/abc.json', true],
    ['* /items/*', 'GET', '/items', false],
    ['* /items/*', 'GET', '/items/', false],
    ['* /items/*', 'GET', '/items/1/2', false],
    ['POST /a/*/b', 'POST', '/a/x/b', true],
    ['POST /a/*/b', 'POST', '/a/x/y/b', false],
    ['POST /a/*/b', 'POST', '/a//b', false],
    ['POST /a/*/b', 'POST', '/a/x/b/', false],
    ['POST /a/*/b', 'PUT', '/a/x/b', false],
    ['GET /a/**/z', 'GET', '/a/z', true],
    ['GET /a/**/z', 'GET', '/a/b/c/z', true],
    ['GET /a/**/z', 'GET', '/a/b/c/zz', false],
    ['GET /files/*.json', 'GET', '/files/a.json', true],
    ['GET /files/*.json', 'GET', '/files/.json', true],
    ['GET /files/*.json', 'GET', '/files/a/b.json', false],
    ['GET /files/*.json', 'GET', '/files/aXjson', false],
    ['GET /', 'GET', '/', true],
    ['GET /', 'GET', '/x', false],
    ['* /**', 'PATCH', '/anything/here', true],
    ['GET /a+b(c)', 'GET', '/a+b(c)', true],
    ['GET /a+b(c)', 'GET', '/aab(c)', false],
  ]
  for (const [rule, method, path, expected] of table) {
    t.equal(compileAccess({ ...closed, callers: ['*'], allow: [rule] }).routeAllowed(method, path), expected, `${rule} ~ ${method} ${path}`)
  }
})

t.test('malformed rules are refused at compile time', async (t) => {
  t.throws(() => compileAllowRule('GET v1/**'), { code: 'config_invalid' })
  t.throws(() => compileAllowRule('get /v1'), { code: 'config_invalid' })
})
