/**
 * SPEC 5: a rendered header value containing CR, LF or NUL fails with 500 template_error, so a
 * template fed with caller data (query, claims, decoded values) cannot split the upstream request.
 */
import t from 'tap'
import { GatewayError } from '../../src/errors.js'
import { assertSafeHeaderValue, TemplateEngine } from '../../src/templates/index.js'
import { makeContext } from '../unit/templates/fixtures/context.js'

const INJECTED = 'evil\r\nX-Injected: yes'

t.test('CR, LF and NUL anywhere are refused without echoing the value', async (t) => {
  for (const value of ['\r', '\n', '\0', '\r\n', INJECTED, 'a\nb', 'trailing\r', '\nleading', 'nul\0inside', 'Bearer tok\u0000']) {
    t.throws(() => assertSafeHeaderValue(value, 'connectors.weather.headers.X-Token'),
      new GatewayError('template_error', 'rendered value of connectors.weather.headers.X-Token contains CR, LF or NUL'), JSON.stringify(value))
    try {
      assertSafeHeaderValue(value, 'X-Token')
    } catch (err) {
      t.equal((err as GatewayError).status, 500)
      if (value.length > 2) t.notOk((err as Error).message.includes(value.replace(/[\r\n\0]/g, '').slice(0, 4)), 'value not in message')
    }
  }
})

t.test('ordinary values pass', async (t) => {
  for (const value of ['', 'Bearer abc.def.ghi', 'tab\there', 'unicode é ✓', ' spaced ', 'x'.repeat(8192)]) {
    t.doesNotThrow(() => assertSafeHeaderValue(value, 'X-Token'), JSON.stringify(value.slice(0, 20)))
  }
})

t.test('rendered values built from caller input are caught', async (t) => {
  const engine = new TemplateEngine({ variables: {} })
  const context = makeContext({ request: { method: 'GET', path: '/', query: { q: INJECTED, b64: Buffer.from('a\r\nb').toString('base64') } } })
  for (const source of ['{{ request.query.q }}', 'Bearer {{ request.query.b64 | base64_decode }}', '{{ "x" ~ "\\n" }}']) {
    const value = engine.compile(source, 'auth').render(context, new Map())
    t.throws(() => assertSafeHeaderValue(value, 'X-Search'), { code: 'template_error' }, source)
  }
})
