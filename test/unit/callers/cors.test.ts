import t from 'tap'
import { compileCors, isPreflight } from '../../../src/callers/cors.js'

const cors = compileCors({ origins: ['https://app.example.com', 'HTTPS://Other.Example.com:443/'] })

t.test('preflight from a configured origin', async (t) => {
  const h = cors.preflight('https://app.example.com', 'POST', 'Content-Type, authorization, X-Custom')
  t.same(h, {
    'access-control-allow-origin': 'https://app.example.com',
    'access-control-allow-methods': 'GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS',
    'access-control-max-age': '600',
    'access-control-allow-headers': 'content-type, authorization, x-custom',
    vary: 'Origin, Access-Control-Request-Method, Access-Control-Request-Headers',
  })
})

t.test('configured origins are normalized like browsers send them', async (t) => {
  t.ok(cors.preflight('https://other.example.com', 'GET', undefined))
})

t.test('preflight from another origin is refused', async (t) => {
  t.equal(cors.preflight('https://evil.example.com', 'GET', undefined), undefined)
  t.equal(cors.preflight('https://app.example.com.evil.com', 'GET', undefined), undefined)
  t.equal(cors.preflight('http://app.example.com', 'GET', undefined), undefined)
  t.equal(cors.preflight('null', 'GET', undefined), undefined)
  t.equal(cors.preflight(undefined, 'GET', undefined), undefined)
})

t.test('malformed preflights are refused; odd header names are not echoed', async (t) => {
  t.equal(cors.preflight('https://app.example.com', 'GE T', undefined), undefined)
  t.equal(cors.preflight('https://app.example.com', undefined, undefined), undefined)
  const h = cors.preflight('https://app.example.com', 'GET', 'x-ok, bad header, , x\r\ny, X-OK')
  t.equal(h?.['access-control-allow-headers'], 'x-ok')
  t.notOk('access-control-allow-headers' in (cors.preflight('https://app.example.com', 'GET', '') ?? {}))
})

t.test('actual responses', async (t) => {
  t.same(cors.corsHeadersFor('https://app.example.com'), {
    'access-control-allow-origin': 'https://app.example.com',
    'access-control-expose-headers': 'X-Request-Id, Server-Timing',
    'timing-allow-origin': 'https://app.example.com',
    vary: 'Origin',
  })
  t.same(cors.corsHeadersFor('https://evil.example.com'), { vary: 'Origin' })
  t.same(cors.corsHeadersFor(undefined), { vary: 'Origin' })
})

t.test('"*" admits any origin but not "null"; max_age', async (t) => {
  const any = compileCors({ origins: ['*'], max_age_s: 60 })
  t.equal(any.preflight('https://whatever.test', 'DELETE', undefined)?.['access-control-allow-origin'], 'https://whatever.test')
  t.equal(any.preflight('https://whatever.test', 'DELETE', undefined)?.['access-control-max-age'], '60')
  t.equal(any.preflight('null', 'GET', undefined), undefined)
})

t.test('isPreflight', async (t) => {
  t.ok(isPreflight('OPTIONS', 'https://a.test', 'GET'))
  t.notOk(isPreflight('OPTIONS', 'https://a.test', undefined))
  t.notOk(isPreflight('OPTIONS', undefined, 'GET'))
  t.notOk(isPreflight('GET', 'https://a.test', 'GET'))
})
