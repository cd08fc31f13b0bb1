import t from 'tap'
import { compileResponseHeaderFilter, filterResponseHeaders, forwardRequestHeaders, safeRequestId } from '../../../src/proxy/header-hygiene.js'

t.test('request: credentials, cookies, proxy and hop-by-hop headers never reach the upstream', async (t) => {
  const out = forwardRequestHeaders({
    host: 'latchkey.local',
    authorization: 'Bearer caller',
    'x-latchkey-key': 'k',
    'x-latchkey-debug': '1',
    cookie: 'session=1',
    'proxy-authorization': 'Basic x',
    'proxy-anything': 'x',
    connection: 'keep-alive',
    'keep-alive': 'timeout=5',
    'proxy-connection': 'keep-alive',
    te: 'trailers',
    trailer: 'x-checksum',
    'transfer-encoding': 'chunked',
    upgrade: 'websocket',
    'http2-settings': 'AAA',
    expect: '100-continue',
    forwarded: 'for=1.2.3.4',
    'x-forwarded-for': '1.2.3.4',
    'x-forwarded-host': 'evil.com',
    'x-forwarded-proto': 'http',
    'x-real-ip': '1.2.3.4',
    origin: 'https://app.example.com',
    // kept
    'content-type': 'application/json',
    'content-length': '12',
    accept: 'application/json',
    'accept-encoding': 'gzip',
    'user-agent': 'test',
    'x-custom': 'v',
    'if-none-match': '"e"',
    'x-request-id': 'abc',
  })
  t.same({ ...out }, {
    'content-type': 'application/json',
    'content-length': '12',
    accept: 'application/json',
    'accept-encoding': 'gzip',
    'user-agent': 'test',
    'x-custom': 'v',
    'if-none-match': '"e"',
    'x-request-id': 'abc',
  })
})

t.test('request: a fresh object; arrays copied; odd names cannot reach the prototype', async (t) => {
  const incoming = { accept: 'a', 'x-multi': ['1', '2'] }
  const out = forwardRequestHeaders(incoming)
  t.not(out['x-multi'], incoming['x-multi'])
  t.same(out['x-multi'], ['1', '2'])
  const raw = forwardRequestHeaders(['__proto__', 'x', 'X-Dup', 'a', 'x-dup', 'b', 'Constructor', 'c', 'toString', 'd'])
  t.equal(Object.getPrototypeOf(raw), Object.prototype, 'prototype untouched')
  t.notOk(Object.hasOwn(raw, '__proto__'), '__proto__ is dropped')
  t.same(raw['x-dup'], ['a', 'b'])
  t.equal(raw.constructor, 'c', 'an inherited name is not taken for an earlier value')
  t.equal(raw.tostring, 'd')
})

t.test('request: Connection in any case, also for plain objects', async (t) => {
  const out = forwardRequestHeaders({ Connection: 'X-Drop', 'X-Drop': '1', 'X-Keep': '2' })
  t.same(out, { 'x-keep': '2' })
})

t.test('response: hop-by-hop, Set-Cookie and the connector list are removed', async (t) => {
  const filter = compileResponseHeaderFilter(['X-Internal', ' server '])
  const out = filterResponseHeaders({
    'content-type': 'application/json',
    'set-cookie': ['a=1', 'b=2'],
    connection: 'close, x-hop',
    'x-hop': '1',
    'keep-alive': 'timeout=5',
    'transfer-encoding': 'chunked',
    'x-internal': 'secret-ish',
    server: 'nginx',
    etag: '"1"',
    'www-authenticate': 'Bearer',
    undefinedValue: undefined,
  }, filter)
  t.same({ ...out }, { 'content-type': 'application/json', etag: '"1"', 'www-authenticate': 'Bearer' })
})

t.test('response: default filter still removes set-cookie', async (t) => {
  const out = filterResponseHeaders(['Set-Cookie', 'a=1', 'Content-Type', 'text/plain', 'Vary', 'Accept', 'vary', 'Origin'], compileResponseHeaderFilter())
  t.same({ ...out }, { 'content-type': 'text/plain', vary: ['Accept', 'Origin'] })
})

t.test('safeRequestId', async (t) => {
  t.equal(safeRequestId('abc-123_x.y:z'), 'abc-123_x.y:z')
  t.equal(safeRequestId('a'.repeat(128)), 'a'.repeat(128))
  const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/
  for (const bad of [undefined, '', 'a'.repeat(129), 'has space', 'x\r\ny', '<script>', 'ümlaut', ['a', 'b']]) {
    t.match(safeRequestId(bad), uuid, JSON.stringify(bad))
  }
})
