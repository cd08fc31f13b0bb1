import t from 'tap'
import { TemplateEngine } from '../../../src/templates/index.js'
import { makeContext, NO_SECRETS } from './fixtures/context.js'

const NOW_MS = 1_700_000_000_900
const engine = new TemplateEngine({ variables: { region: 'eu', 'tenant': 'acme' }, clock: () => NOW_MS })
const render = (source: string, secrets = NO_SECRETS) => engine.compile(source, 'auth').render(makeContext(), secrets)

t.test('get_secret reads the map given to render', async (t) => {
  const secrets = new Map([['weather_key', 'w-123'], ['other', 'o']])
  t.equal(render("key={{ get_secret('weather_key') }}", secrets), 'key=w-123')
  t.equal(render('{{ get_secret("weather_key") | length }}', secrets), '5')
})

t.test('get_variable', async (t) => {
  t.equal(render("{{ get_variable('region') }}-{{ get_variable('tenant') }}"), 'eu-acme')
  t.throws(() => engine.compile('{{ get_variable(request.query.q) }}', 'auth').render(makeContext(), NO_SECRETS),
    { code: 'template_error', message: 'template auth: get_variable(): no such variable' })
  t.throws(() => engine.compile('{{ get_variable("constructor" if true else "region") }}', 'auth').render(makeContext(), NO_SECRETS),
    { code: 'template_error' }, 'prototype names are not variables')
})

t.test('now: integer Unix seconds from the injected clock', async (t) => {
  t.equal(render('{{ now() }}'), '1700000000')
  t.equal(render('{{ now(3600) }}'), '1700003600')
  t.equal(render('{{ now(-60) }}'), '1699999940')
  t.equal(render('{{ now(offset=180) }}'), '1700000180')
  t.equal(render('{{ now() + 5 }}'), '1700000005', 'a number, usable in arithmetic')
  t.throws(() => render('{{ now("soon") }}'), { code: 'template_error', message: /now\(\): the offset must be a number/ })
  t.throws(() => render('{{ now(1, 2) }}'), { code: 'template_error', message: /now\(\) takes at most 1 argument/ })
  t.throws(() => render('{{ now(delay=1) }}'), { code: 'template_error', message: /unexpected keyword argument 'delay'/ })
})

t.test('now defaults to the system clock', async (t) => {
  const plain = new TemplateEngine({ variables: {} })
  const before = Math.floor(Date.now() / 1000)
  const value = Number(plain.compile('{{ now() }}', 'auth').render(makeContext(), NO_SECRETS))
  t.ok(value >= before && value <= before + 2)
})

t.test('uuid: a fresh v4 UUID per call', async (t) => {
  const [a, b] = render('{{ uuid() }} {{ uuid() }}').split(' ')
  t.match(a, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/)
  t.not(a, b)
})

t.test('nunjucks globals stay available', async (t) => {
  t.equal(render('{{ range(3) | join(",") }}'), '0,1,2')
})
