import { createHash, createHmac } from 'node:crypto'
import t from 'tap'
import { TemplateEngine } from '../../../src/templates/index.js'
import { makeContext, NO_SECRETS } from './fixtures/context.js'

const engine = new TemplateEngine({ variables: {} })
const render = (source: string, context = makeContext()) => engine.compile(source, 'auth').render(context, NO_SECRETS)

t.test('base64_encode and base64_decode (UTF-8)', async (t) => {
  t.equal(render('{{ "user:pässword" | base64_encode }}'), Buffer.from('user:pässword').toString('base64'))
  t.equal(render('{{ (connection.config.subdomain ~ ":" ~ connection.credentials.api_key) | base64_encode }}'), Buffer.from('acme:cred-api-key-value').toString('base64'))
  t.equal(render('{{ "dXNlcjpww6Rzc3dvcmQ=" | base64_decode }}'), 'user:pässword')
  t.equal(render('{{ "dXNlcjpww6Rzc3dvcmQ" | base64_decode }}'), 'user:pässword', 'padding optional')
  t.equal(render('{{ "Pz8-" | base64_decode }}'), '??>', 'URL-safe alphabet accepted')
  t.equal(render('{{ "round trip ✓" | base64_encode | base64_decode }}'), 'round trip ✓')
  t.equal(render('{{ 42 | base64_encode }}'), 'NDI=')
  t.throws(() => render('{{ "not base64!" | base64_decode }}'), { code: 'template_error', message: /base64_decode: the input is not base64$/ })
  t.throws(() => render('{{ "/w==" | base64_decode }}'), { code: 'template_error', message: /the decoded bytes are not UTF-8/ })
  t.throws(() => render('{{ {"a": 1} | base64_encode }}'), { code: 'template_error', message: /base64_encode expects a string/ })
})

t.test('tojson and json_encode', async (t) => {
  t.equal(render('{{ {"a": [1, "x", none, true]} | tojson }}'), '{"a":[1,"x",null,true]}')
  t.equal(render('{{ connection.config | json_encode }}'), '{"subdomain":"acme","region":"eu-west","nested":{"deep":"value"}}')
  t.equal(render('{{ "quote\\"d" | tojson }}'), '"quote\\"d"')
  t.equal(render('{{ {"a": 1} | tojson(2) }}'), '{\n  "a": 1\n}')
  t.throws(() => render('{{ range | tojson }}'), { code: 'template_error' })
})

t.test('from_json', async (t) => {
  t.equal(render('{{ (\'{"token": {"value": "abc"}}\' | from_json).token.value }}'), 'abc')
  t.equal(render('{{ "[1,2,3]" | from_json | sum }}'), '6')
  t.throws(() => render('{{ "{oops" | from_json }}'), { code: 'template_error', message: 'template auth: from_json: the input is not valid JSON' })
})

t.test('sha256 and hmac_sha256 (hex)', async (t) => {
  t.equal(render('{{ "hello" | sha256 }}'), createHash('sha256').update('hello').digest('hex'))
  t.equal(render('{{ request.method ~ request.path | sha256 }}'), 'POST' + createHash('sha256').update('/v1/items').digest('hex'), 'filters bind tighter than ~')
  t.equal(render('{{ "payload" | hmac_sha256("key") }}'), createHmac('sha256', 'key').update('payload').digest('hex'))
  t.equal(render('{{ request.path | hmac_sha256(connection.credentials.password) }}'), createHmac('sha256', 'cred-password-value').update('/v1/items').digest('hex'))
  t.throws(() => render('{{ "payload" | hmac_sha256 }}'), { code: 'template_error', message: /hmac_sha256 needs a key/ })
})

t.test('standard nunjucks filters stay available', async (t) => {
  const cases: [string, string][] = [
    ['{{ connection.config.missing | default("dflt") }}', 'dflt'],
    ['{{ "a b&c=d/é" | urlencode }}', 'a%20b%26c%3Dd%2F%C3%A9'],
    ['{{ "MiXeD" | lower }} {{ "MiXeD" | upper }}', 'mixed MIXED'],
    ['{{ "  pad  " | trim }}', 'pad'],
    ['{{ ["a", "b"] | join("|") }}', 'a|b'],
    ['{{ "a-b-c" | replace("-", "+") }}', 'a+b+c'],
    ['{{ [3, 1, 2] | sort | first }}', '1'],
    ['{{ "abc" | length }}', '3'],
    ['{{ "7" | int + 1 }}', '8'],
    ['{{ "<b>" | escape }}', '&lt;b&gt;'],
    ['{{ "<b>" }}', '<b>'],
  ]
  for (const [source, expected] of cases) t.equal(render(source), expected, source)
})

t.test('a failing standard filter names the filter, not the value', async (t) => {
  t.throws(() => render('{{ connection.config.subdomain | length | join(",") }}'), { code: 'template_error', message: "template auth: filter 'join' failed" })
  t.throws(() => render('{{ request.method | dictsort }}'), { code: 'template_error', message: "template auth: filter 'dictsort' failed" })
})
