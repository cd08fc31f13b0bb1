import t from 'tap'
import { GatewayError } from '../../../src/errors.js'
import { TemplateEngine, collectSecrets, type TemplateSite } from '../../../src/templates/index.js'
import { makeContext, NO_SECRETS } from './fixtures/context.js'

const engine = new TemplateEngine({ variables: { region: 'eu' }, clock: () => 1_700_000_000_500 })
const render = (source: string, context = makeContext(), secrets = NO_SECRETS, site: TemplateSite = 'auth') =>
  engine.compile(source, site).render(context, secrets)

t.test('static strings skip nunjucks and come back as they are', async (t) => {
  const source = 'Bearer abc } { %} #}'
  const template = engine.compile(source, 'auth')
  t.equal(template.isStatic, true)
  t.equal(template.isConstant, true)
  t.same(template.secrets, [])
  t.equal(template.render(makeContext(), NO_SECRETS), source)
  t.equal(engine.compile('', 'base_url').render(makeContext(), NO_SECRETS), '')
})

t.test('every context field can be read', async (t) => {
  const context = makeContext({
    user: { sub: 'user-42', email: 'u@example.com', roles: ['admin'] },
    caller: { id: 'frontend', kind: 'user' },
    params: { id: 'item-7' },
  })
  const cases: [string, string][] = [
    ['{{ connection.id }}', 'acme-weather'],
    ['{{ connection.connector }}', 'weather'],
    ['{{ connection.owner }}', 'user-42'],
    ['{{ connection.config.subdomain }}', 'acme'],
    ['{{ connection.config.nested.deep }}', 'value'],
    ['{{ connection.credentials.api_key }}', 'cred-api-key-value'],
    ['{{ user.sub }}|{{ user.email }}|{{ user.roles[0] }}', 'user-42|u@example.com|admin'],
    ['{{ caller.id }}:{{ caller.kind }}', 'frontend:user'],
    ['{{ request.method }} {{ request.path }}', 'POST /v1/items'],
    ['{{ request.query.q }} {{ request.query.tags | join(",") }}', 'london a,b'],
    ['/items/{{ params.id }}', '/items/item-7'],
  ]
  for (const [source, expected] of cases) t.equal(render(source, context), expected, source)

  const response = makeContext({ response: { status_code: 201, headers: { 'content-type': 'application/json' }, body: '{"a":{"b":[1,2]}}' } })
  t.equal(render('{{ response.status_code }} {{ response.headers["content-type"] }} {{ (response.body | from_json).a.b | join("+") }}', response, NO_SECRETS, 'response'),
    '201 application/json 1+2')
})

t.test('compile-time facts', async (t) => {
  const secretHeader = engine.compile("Bearer {{ get_secret('tok') }}{{ get_secret('tok') }}{{ get_secret('alpha') }}", 'auth')
  t.same(secretHeader.secrets, ['alpha', 'tok'], 'unique and sorted')
  t.equal(secretHeader.isConstant, true)
  t.equal(secretHeader.readsUser, false)
  t.equal(secretHeader.readsCredentials, false)

  t.equal(engine.compile("{{ get_variable('region') | upper }}", 'base_url').isConstant, true)
  t.equal(engine.compile('{{ range(2) | join }}', 'auth').isConstant, true)
  t.equal(engine.compile('{{ now() }}', 'auth').isConstant, false)
  t.equal(engine.compile('{{ uuid() }}', 'auth').isConstant, false)
  t.equal(engine.compile('{{ [1, 2] | random }}', 'auth').isConstant, false)
  t.equal(engine.compile('{{ request.path }}', 'auth').isConstant, false)
  t.equal(engine.compile("{{ jwt_encode({}, 'k') }}", 'auth').isConstant, false)

  t.equal(engine.compile('{{ user.sub }}', 'auth').readsUser, true)
  t.equal(engine.compile('{{ user | tojson }}', 'auth').readsUser, true)
  t.equal(engine.compile('{{ caller.id }}', 'auth').readsUser, false)

  t.equal(engine.compile('{{ connection.credentials.api_key }}', 'auth').readsCredentials, true)
  t.equal(engine.compile('{{ connection["credentials"]["api_key"] }}', 'auth').readsCredentials, true)
  t.equal(engine.compile('{{ connection[request.query.q] }}', 'auth').readsCredentials, true, 'computed member')
  t.equal(engine.compile('{{ connection | tojson }}', 'auth').readsCredentials, true, 'whole object')
  t.equal(engine.compile('{{ connection.config.subdomain }}', 'auth').readsCredentials, false)
})

t.test('secrets come from the map passed to render', async (t) => {
  const template = engine.compile("{{ get_secret('tok') }}", 'auth')
  t.equal(template.render(makeContext(), new Map([['tok', 'one']])), 'one')
  t.equal(template.render(makeContext(), new Map([['tok', 'two']])), 'two', 'nothing is cached between renders')
})

t.test('a missing secret is secret_not_found and the literal is never output', async (t) => {
  const template = engine.compile("Bearer {{ get_secret('absent') }}", 'auth')
  t.throws(() => template.render(makeContext(), new Map([['other', 'x']])),
    new GatewayError('secret_not_found', "secret 'absent' is not set: latchkey secrets set absent"))
  t.throws(() => template.render(makeContext(), NO_SECRETS), { code: 'secret_not_found', status: 500 })
  t.throws(() => template.render(makeContext(), NO_SECRETS), { code: 'secret_not_found' })
})

t.test('reading user without a verified user is user_required', async (t) => {
  const template = engine.compile('{% if caller.kind == "user" %}{{ user.sub }}{% endif %}', 'auth', { label: 'connectors.x.headers.X-User' })
  t.throws(() => template.render(makeContext(), NO_SECRETS), { name: 'GatewayError', code: 'user_required', status: 401, message: /connectors\.x\.headers\.X-User/ })
  t.equal(template.render(makeContext({ user: { sub: 'u1' }, caller: { id: 'u1', kind: 'user' } }), NO_SECRETS), 'u1')
})

t.test('labels: a compiled template knows its site and label', async (t) => {
  const labelled = engine.compile('{{ request.path }}', 'path', { label: 'connectors.crm.capabilities.entities.contact.actions.read.path' })
  t.equal(labelled.site, 'path')
  t.equal(labelled.label, 'connectors.crm.capabilities.entities.contact.actions.read.path')
  t.equal(engine.compile('{{ request.path }}', 'path').label, 'path', 'defaults to the site')
})

t.test('collectSecrets: unique and sorted across templates', async (t) => {
  const templates = [
    engine.compile("{{ get_secret('b') }}{{ get_secret('a') }}", 'auth'),
    engine.compile("{{ get_secret('c') }}{{ get_secret('a') }}", 'auth'),
    engine.compile('static', 'auth'),
  ]
  t.same(collectSecrets(templates), ['a', 'b', 'c'])
  t.same(collectSecrets([]), [])
})

t.test('engines are independent', async (t) => {
  const other = new TemplateEngine({ variables: { region: 'us' } })
  t.equal(other.compile("{{ get_variable('region') }}", 'auth').render(makeContext(), NO_SECRETS), 'us')
  t.equal(render("{{ get_variable('region') }}"), 'eu')
  t.throws(() => other.compile("{{ get_variable('only_here') }}", 'auth'), { code: 'unknown_name' })
})

t.test('statements: if, for, set, macro, inline if, comments', async (t) => {
  t.equal(render('{% if request.method == "POST" %}w{% else %}r{% endif %}'), 'w')
  t.equal(render('{% for k, v in connection.config %}{% if v is string %}{{ loop.index }}{{ k }};{% endif %}{% endfor %}'), '1subdomain;2region;')
  t.equal(render('{% set host = connection.config.subdomain ~ ".example.com" %}https://{{ host }}'), 'https://acme.example.com')
  t.equal(render('{% set body %}[{{ request.method }}]{% endset %}{{ body }}'), '[POST]')
  t.equal(render('{% macro tag(name, sep="=") %}{{ name }}{{ sep }}1{% endmacro %}{{ tag("a") }},{{ tag("b", sep=":") }}'), 'a=1,b:1')
  t.equal(render('{{ "yes" if request.query.q else "no" }}{# comment #}'), 'yes')
})
