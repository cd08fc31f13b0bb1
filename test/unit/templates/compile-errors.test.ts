import t from 'tap'
import { TemplateEngine, TemplateSyntaxError, type TemplateSite } from '../../../src/templates/index.js'

const engine = new TemplateEngine({ variables: { region: 'eu' } })

function compileError (source: string, site: TemplateSite = 'auth'): TemplateSyntaxError {
  try {
    engine.compile(source, site)
  } catch (err) {
    if (err instanceof TemplateSyntaxError) return err
    throw err
  }
  throw new Error(`compiled without error: ${source}`)
}

t.test('syntax errors carry 1-based line and column within the template', async (t) => {
  const cases: [string, number, number, RegExp][] = [
    ['{% if %}', 1, 7, /unexpected token/],
    ['line one\n  {{ x + }}', 2, 10, /unexpected token/],
    ['ab\n\n{% frobnicate %}', 3, 4, /unknown block tag: frobnicate/],
    ['{{ a b }}', 1, 6, /expected variable end/],
    ['{% endif %}', 1, 4, /unknown block tag: endif/],
  ]
  for (const [source, line, column, message] of cases) {
    const err = compileError(source)
    t.equal(err.code, 'syntax', source)
    t.equal(err.line, line, `${source}: line`)
    t.equal(err.column, column, `${source}: column`)
    t.match(err.message, message, source)
    t.notMatch(err.message, /Line|Column|unknown path/, 'position is in fields, not in the message')
  }
})

t.test('an unterminated tag points at the end of the template', async (t) => {
  const err = compileError('ok\nBearer {{ x')
  t.equal(err.code, 'syntax')
  t.equal(err.line, 2)
  t.equal(err.column, 12)
  const comment = compileError('{# never closed')
  t.equal(comment.code, 'syntax')
  t.equal(comment.line, 1)
})

t.test('include, import, extends and call blocks are rejected at compile', async (t) => {
  for (const [source, tag] of [
    ['{% include "other.html" %}', 'include'],
    ['{% import "macros.html" as m %}', 'import'],
    ['{% from "macros.html" import a %}', 'from ... import'],
    ['{% extends "base.html" %}{% block a %}x{% endblock %}', 'extends'],
    ['{% macro m() %}x{% endmacro %}{% call m() %}x{% endcall %}', 'call'],
  ] as const) {
    const err = compileError(source)
    t.equal(err.code, 'unsupported', source)
    t.equal(err.message, `{% ${tag} %} is not supported: templates cannot load or call other templates`)
    t.equal(err.line, 1)
  }
})

t.test('site rules of SPEC 5', async (t) => {
  for (const site of ['base_url', 'path', 'response'] as const) {
    const secret = compileError("https://{{ get_secret('tok') }}.example.com", site)
    t.equal(secret.code, 'not_allowed_here')
    t.equal(secret.message, `get_secret is not allowed in ${site}`)
    t.equal(secret.column, 12)

    for (const source of [
      '{{ connection.credentials.api_key }}',
      '{{ connection["credentials"].api_key }}',
      '{{ connection[request.query.q] }}',
      '{{ connection | tojson }}',
      '{% for k, v in connection %}{{ v }}{% endfor %}',
      '{% set c = connection %}{{ c.credentials.api_key }}',
      '{% set x %}{{ connection.credentials.api_key }}{% endset %}{{ x }}',
    ]) {
      const err = compileError(source, site)
      t.equal(err.code, 'not_allowed_here', `${site}: ${source}`)
      t.equal(err.message, `connection.credentials is not allowed in ${site}`)
    }
    t.doesNotThrow(() => engine.compile('https://{{ connection.config.subdomain }}.example.com/{{ get_variable("region") }}', site))
  }
  t.doesNotThrow(() => engine.compile("{{ get_secret('tok') }}{{ connection.credentials.api_key }}", 'auth'))
})

t.test('caller site: only get_secret, get_variable, now and literals', async (t) => {
  t.doesNotThrow(() => engine.compile("{{ get_secret('billing_key') | trim }}-{{ get_variable('region') }}-{{ now() }}-{{ 'x' }}", 'caller'))
  for (const source of ['{{ uuid() }}', "{{ jwt_encode({}, 'k') }}", '{{ connection.id }}', '{{ request.path }}', '{{ user.sub }}', '{{ caller.id }}', '{{ range(3) }}']) {
    const err = compileError(source, 'caller')
    t.equal(err.code, 'not_allowed_here', source)
    t.equal(err.message, 'caller templates may only use get_secret(), get_variable(), now() and literals')
  }
})

t.test('response is only available in response templates', async (t) => {
  t.equal(compileError('{{ response.body }}', 'auth').message, 'response is only available in response templates')
  t.doesNotThrow(() => engine.compile('{{ response.body }}', 'response'))
})

t.test('get_secret takes a string literal', async (t) => {
  for (const source of ['{{ get_secret(connection.id) }}', '{{ get_secret("a" ~ "b") }}', '{{ get_secret() }}', '{{ get_secret("a", "b") }}', '{{ get_secret(name="a") }}']) {
    const err = compileError(source)
    t.equal(err.code, 'invalid_argument', source)
    t.equal(err.message, 'get_secret() takes a string literal')
  }
  t.equal(compileError('{{ get_secret("not-valid") }}').message, "invalid secret name 'not-valid'")
  const alias = compileError('{% set f = get_secret %}{{ f("tok") }}')
  t.equal(alias.code, 'invalid_argument')
  t.equal(alias.message, 'get_secret can only be called directly, as get_secret(...)')
})

t.test('unknown names fail at compile', async (t) => {
  t.match(compileError('{{ get_variable("nope") }}'), { code: 'unknown_name', message: "unknown variable 'nope' in get_variable(): not in 'variables'", line: 1, column: 17 })
  t.match(compileError('{{ conection.id }}'), { code: 'unknown_name', message: "unknown variable 'conection'", column: 4 })
  t.match(compileError('{{ frobnicate() }}'), { code: 'unknown_name', message: "unknown function 'frobnicate'" })
  t.match(compileError('{{ "a" | nosuchfilter }}'), { code: 'unknown_name', message: "unknown filter 'nosuchfilter'" })
  t.match(compileError('{{ "a" | __lk_get(1, 2, 3, "") }}'), { code: 'unknown_name' }, 'internal lookup filters are not callable')
  t.doesNotThrow(() => engine.compile('{{ get_variable(request.query.q) }}', 'auth'), 'a computed name is checked at render')
})

t.test('context keys and functions cannot be reassigned', async (t) => {
  for (const source of ['{% set user = {"sub": "x"} %}', '{% set connection = 1 %}', '{% for caller in [1] %}{% endfor %}', '{% macro m(request) %}{% endmacro %}', '{% set get_secret = 1 %}']) {
    t.equal(compileError(source).code, 'not_allowed_here', source)
  }
})

t.test('TemplateSyntaxError is an Error with a name', async (t) => {
  const err = compileError('{% if %}')
  t.ok(err instanceof Error)
  t.equal(err.name, 'TemplateSyntaxError')
})
