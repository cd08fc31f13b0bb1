/**
 * A constant template (secrets and variables only) keeps its last output, but only while every
 * secret it read has the same value: a changed, added or removed secret renders anew, whether it
 * arrives in the same Map or a new one. A template of connection fields keeps its output across
 * clock seconds unless it calls now().
 */
import t from 'tap'
import { GatewayError } from '../../../src/errors.js'
import { TemplateEngine } from '../../../src/templates/index.js'
import { makeContext } from './fixtures/context.js'

const engine = new TemplateEngine({ variables: { region: 'eu' } })

/** The template context of connection `id` with these fields (the rest as any connection has). */
const connectionContext = (id: string, config: Readonly<Record<string, unknown>>, credentials: Record<string, string> = {}) =>
  makeContext({ connection: { id, connector: 'x', owner: null, config, credentials } })

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

t.test('templates stable within a second are remembered per second, secret values and connection', async (t) => {
  let now = 1_700_000_000_000
  const clocked = new TemplateEngine({ variables: {}, clock: () => now })
  const template = clocked.compile("{{ connection.id }}:{{ connection.config.tenant }}:{{ now(60) }}:{{ get_secret('k') }}", 'auth')
  t.equal(template.isConstant, false)
  const config = Object.freeze({ tenant: 'acme' })
  const context = () => connectionContext('c1', config)
  const secrets = new Map([['k', 'v1']])
  t.equal(template.render(context(), secrets), 'c1:acme:1700000060:v1')
  now += 999
  t.equal(template.render(context(), secrets), 'c1:acme:1700000060:v1', 'same second')
  now += 1
  t.equal(template.render(context(), secrets), 'c1:acme:1700000061:v1', 'the next second renders anew')
  secrets.set('k', 'v2')
  t.equal(template.render(context(), secrets), 'c1:acme:1700000061:v2', 'a changed secret renders anew')
  t.equal(template.render(connectionContext('c2', config), secrets),
    'c2:acme:1700000061:v2', 'another connection renders anew')
  t.equal(template.render(connectionContext('c2', { tenant: 'other' }), secrets),
    'c2:other:1700000061:v2', 'another config object renders anew')
})

t.test('what is not stable within a second is never remembered', async (t) => {
  let now = 1_700_000_000_000
  const clocked = new TemplateEngine({ variables: {}, clock: () => now })
  const half = clocked.compile('{{ now(0.5) }}', 'auth')
  t.equal(half.render(makeContext(), new Map()), '1700000000')
  now += 600
  t.equal(half.render(makeContext(), new Map()), '1700000001', 'a fractional offset moves within the second')
  const uuid = clocked.compile('{{ uuid() }}', 'auth')
  t.not(uuid.render(makeContext(), new Map()), uuid.render(makeContext(), new Map()))
  const secrets = new Map([['k', 'v']])
  const credentials = clocked.compile('{{ connection.credentials.token }}', 'auth')
  t.equal(credentials.render(connectionContext('c', {}, { token: 'a' }), secrets), 'a')
  t.equal(credentials.render(connectionContext('c', {}, { token: 'b' }), secrets), 'b')
  const negative = clocked.compile('{{ now(-60) }}', 'auth')
  t.equal(negative.render(makeContext(), new Map()), '1699999940')
})

t.test('a template of connection fields without now() keeps its output across seconds', async (t) => {
  let now = 1_700_000_000_000
  let clockReads = 0
  const clocked = new TemplateEngine({ variables: {}, clock: () => { clockReads++; return now } })
  const template = clocked.compile("{{ connection.config.client_id }}:{{ get_secret('k') }}", 'auth')
  const config = Object.freeze({ client_id: 'cc-0001' })
  const context = () => connectionContext('c1', config)
  const secrets = new Map([['k', 'v1']])
  t.equal(template.render(context(), secrets), 'cc-0001:v1')
  now += 5_000
  t.equal(template.render(context(), secrets), 'cc-0001:v1', 'seconds later: still remembered')
  t.equal(clockReads, 0, 'the clock is never read for it')
  secrets.set('k', 'v2')
  t.equal(template.render(context(), secrets), 'cc-0001:v2', 'a changed secret still renders anew')
  const other = Object.freeze({ client_id: 'cc-0002' })
  t.equal(template.render(connectionContext('c1', other), secrets),
    'cc-0002:v2', 'and another config object')
})
