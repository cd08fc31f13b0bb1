import t from 'tap'
import { TemplateEngine } from '../../../src/templates/index.js'
import { makeContext, NO_SECRETS } from './fixtures/context.js'

const engine = new TemplateEngine({ variables: {} })
const render = (source: string, context = makeContext()) =>
  engine.compile(source, 'auth', { label: 'connectors.weather.auth.methods.key.value' }).render(context, NO_SECRETS)

t.test('undefined values are template_error with the field and position', async (t) => {
  const cases: [string, string][] = [
    ['{{ connection.config.missing }}', "undefined attribute 'missing' at line 1, column 22"],
    ['{{ connection.config.missing | upper }}', "undefined attribute 'missing' at line 1, column 22"],
    ['{{ connection.credentials.api_kee | urlencode }}', "undefined attribute 'api_kee' at line 1, column 27"],
    ['x\n{{ "k=" ~ connection.config["missing"] }}', "undefined attribute 'missing' at line 2, column"],
    ['{{ connection.config.missing.deeper }}', "undefined attribute 'missing' at line 1, column 22"],
    ['{{ params.id }}', "undefined variable 'params' at line 1, column 4"],
    ['{{ connection.owner }}', 'output is null or undefined'],
    ['{% if connection.config.flag %}on{% endif %}', "undefined attribute 'flag'"],
  ]
  for (const [source, reason] of cases) {
    const context = makeContext({ connection: { ...makeContext().connection, owner: null } })
    t.throws(() => render(source, context), {
      name: 'GatewayError',
      code: 'template_error',
      status: 500,
      message: new RegExp(`^template connectors\\.weather\\.auth\\.methods\\.key\\.value: ${escape(reason)}`),
    }, source)
  }
})

t.test('a computed key is not named in the message', async (t) => {
  t.throws(() => render('{{ connection.config[request.query.q] }}'), { code: 'template_error', message: /: undefined attribute at line 1, column 21$/ })
})

t.test('default and "is defined" tolerate a missing member, as in Jinja2', async (t) => {
  t.equal(render('{{ connection.config.missing | default("fallback") }}'), 'fallback')
  t.equal(render('{{ connection.config.missing | d("x") }}'), 'x')
  t.equal(render('{{ connection.config.subdomain | default("fallback") }}'), 'acme')
  t.equal(render('{% if connection.config.missing is defined %}yes{% else %}no{% endif %}'), 'no')
  t.equal(render('{% if connection.config.subdomain is defined %}yes{% endif %}'), 'yes')
  t.equal(render('{% if params is undefined %}none{% endif %}'), 'none')
  t.equal(render('{{ params | default({"id": "0"}) | tojson }}'), '{"id":"0"}')
  // Only the last step is lenient: the object it is read from must exist.
  t.throws(() => render('{{ connection.nothing.missing | default("x") }}'), { code: 'template_error', message: /undefined attribute 'nothing'/ })
})

t.test('prototype members are not reachable', async (t) => {
  for (const source of ['{{ connection.config.constructor }}', '{{ "".constructor.constructor("return process")() }}', '{{ connection.config["__proto__"] }}', '{{ request.query.prototype }}']) {
    t.throws(() => render(source), { code: 'template_error', message: /undefined attribute/ }, source)
  }
})

t.test('array methods that mutate shared context are not reachable', async (t) => {
  const context = makeContext()
  for (const source of ['{{ request.query.tags.push("x") }}', '{{ request.query.tags.reverse() }}', '{{ request.query.tags.splice(0) }}']) {
    t.throws(() => render(source, context), { code: 'template_error', message: /undefined attribute/ }, source)
  }
  t.same(context.request.query.tags, ['a', 'b'])
  t.equal(render('{{ request.query.tags.slice(1).concat(["c"]).join("") }}'), 'bc')
})

t.test('methods of strings and arrays still work', async (t) => {
  t.equal(render('{{ "a,b".split(",") | join("+") }}'), 'a+b')
  t.equal(render('{{ connection.config.subdomain.toUpperCase() }}'), 'ACME')
  t.equal(render('{{ request.query.tags.length }}'), '2')
})

t.test('calling something that is not a function', async (t) => {
  t.throws(() => render('{{ request.path() }}'), { code: 'template_error', message: 'template connectors.weather.auth.methods.key.value: called something that is not a function' })
})

t.test('filters refuse an undefined input', async (t) => {
  t.throws(() => render('{% set x = none %}{{ x.y | upper }}'), { code: 'template_error' })
})

function escape (text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, (c) => `\\${c}`)
}
