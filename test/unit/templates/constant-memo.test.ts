/**
 * A constant template (secrets and variables only) keeps its last output, but only while every
 * secret it read has the same value: a changed, added or removed secret renders anew, whether it
 * arrives in the same Map or a new one.
 */
import t from 'tap'
import { GatewayError } from '../../../src/errors.js'
import { TemplateEngine } from '../../../src/templates/index.js'
import { makeContext } from './fixtures/context.js'

const engine = new TemplateEngine({ variables: { region: 'eu' } })

t.test('constant templates re-render when a secret they read changes', async (t) => {
  const template = engine.compile("{{ get_secret('token') }}:{{ get_variable('region') }}", 'auth')
  t.equal(template.isConstant, true)
  const secrets = new Map([['token', 'one']])
  t.equal(template.render(makeContext(), secrets), 'one:eu')
  t.equal(template.render(makeContext(), secrets), 'one:eu', 'the same values: the same output')
  secrets.set('token', 'two')
  t.equal(template.render(makeContext(), secrets), 'two:eu', 'a value changed in the same Map')
  t.equal(template.render(makeContext(), new Map([['token', 'three']])), 'three:eu', 'a new Map')
  let code: string | undefined
  try {
    template.render(makeContext(), new Map())
  } catch (err) {
    code = err instanceof GatewayError ? err.code : 'other'
  }
  t.equal(code, 'secret_not_found', 'a secret removed since is secret_not_found, not the remembered output')
  t.equal(template.render(makeContext(), new Map([['token', 'one']])), 'one:eu')
})

t.test('templates that read the request are never remembered', async (t) => {
  const template = engine.compile("{{ get_secret('token') }}:{{ request.method }}", 'auth')
  t.equal(template.isConstant, false)
  const secrets = new Map([['token', 'x']])
  t.equal(template.render(makeContext({ request: { method: 'GET', path: '/', query: {} } }), secrets), 'x:GET')
  t.equal(template.render(makeContext({ request: { method: 'PUT', path: '/', query: {} } }), secrets), 'x:PUT')
})
