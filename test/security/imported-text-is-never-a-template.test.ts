/**
 * An imported OpenAPI document is data (SPEC 12, 5). Template syntax (`{{ }}`, `{% %}`, `{# #}`)
 * and environment references (`${NAME}`) anywhere in its text reach the loaded connector as the
 * same characters: names and descriptions byte for byte, template fields rendering to the
 * literal text, paths that would need a template of their own skipped. Nothing of the
 * environment or the secret store is read because a document said so.
 */
import t from 'tap'
import { parse, stringify } from 'yaml'
import { TemplateEngine } from '../../src/templates/engine.js'
import { assertNoSecrets, startGateway } from '../helpers/gateway.js'
import { recordingUpstream } from '../helpers/upstream.js'
import { importAndLoad, op, openapi30, writeDocument } from '../import/document.js'

const ENV_SECRET = 'env-secret-IMPORT-5b1d'
const SECRETS = { x: 'store-secret-IMPORT-93ac', caller_key: 'ck-import-7e21', api_credential: 'cred-IMPORT-40f2' }
const ENV = { LATCHKEY_TEST_SECRET: ENV_SECRET }

const TITLE = "{{ get_secret('x') }} ${LATCHKEY_TEST_SECRET} $${LATCHKEY_TEST_SECRET}"
const DESCRIPTION = "{% raw %}{{ get_secret('x') }}{% endraw %} ${LATCHKEY_TEST_SECRET:-fallback} {# c #}"
const SUMMARY = "{{ get_secret('x') }}{%- if true -%}yes{% endif %}"
const KEY_NAME = "k{{ get_secret('x') }}#}{#${LATCHKEY_TEST_SECRET}"
const TOKEN_URL = "https://auth.example.com/token?x={{ get_secret('x') }}&y=${LATCHKEY_TEST_SECRET}"
const SCOPES = ["{{ get_secret('x') }}", 'read:${LATCHKEY_TEST_SECRET}']

const hostileDocument = openapi30({
  info: { title: TITLE, description: DESCRIPTION, version: '1' },
  servers: [{ url: 'https://{region}.example.com', variables: { region: { default: '{{x}}', description: '${LATCHKEY_TEST_SECRET} {{ x }}' } } }],
  components: {
    securitySchemes: {
      key: { type: 'apiKey', in: 'query', name: KEY_NAME },
      app: { type: 'oauth2', flows: { clientCredentials: { tokenUrl: TOKEN_URL, scopes: Object.fromEntries(SCOPES.map((s) => [s, s])) } } },
    },
  },
}, {
  '/items': { get: op({ operationId: 'list', tags: ["{{ get_secret('x') }}"], summary: SUMMARY }) },
  '/items/{{id}}': { get: op({ operationId: 'braces' }) },
  '/items/{%x%}': { get: op({ operationId: 'tag' }) },
})

const engine = new TemplateEngine({ variables: {} })
const renderAuth = (source: string) => engine.compile(source, 'auth').render({
  connection: { id: 'c', connector: 'api', owner: null, config: {}, credentials: {} },
  caller: { id: null, kind: 'anonymous' },
  request: { method: 'GET', path: '/', query: {} },
}, new Map([['x', SECRETS.x]]))

t.test('loaded with a secret-bearing environment, every document text is itself', async (t) => {
  const file = await writeDocument(t, hostileDocument)
  const { connector, loaded, warnings, yaml } = await importAndLoad(file, 'hostile', ENV)

  t.notOk(JSON.stringify(loaded).includes(ENV_SECRET), 'no environment value in the loaded connector')
  t.equal(loaded.name, TITLE, 'name byte for byte')
  t.equal(loaded.description, DESCRIPTION, 'description byte for byte')
  const action = loaded.capabilities!.entities!.get_secret_x!.actions!.list!
  t.equal(action.description, SUMMARY, 'action description byte for byte; the tag became a plain id')
  t.equal(loaded.inputs![0]!.help, '${LATCHKEY_TEST_SECRET} {{ x }}', 'input help byte for byte')
  t.equal(loaded.inputs![0]!.required, true, 'a default that is template text is not used as one')
  t.notOk(loaded.inputs![0]!.default)

  const key = loaded.auth.methods.key as { key: string }
  t.equal(renderAuth(key.key), KEY_NAME, 'the API key parameter name renders to the literal text')
  const app = loaded.auth.methods.app as { token_url: string, scope: string }
  // URLs are normalised (spaces and quotes percent-encoded); the braces stay text.
  t.equal(renderAuth(app.token_url), new URL(TOKEN_URL).href, 'the token URL renders to the literal (normalised) URL')
  t.equal(renderAuth(app.scope), SCOPES.join(' '), 'the scope renders to the literal text')

  t.same(Object.keys(loaded.capabilities!.entities!), ['get_secret_x'])
  t.ok(warnings.some((w) => w.includes('/items/{{id}}')), 'a path with braces of its own is skipped')
  t.ok(warnings.some((w) => w.includes('/items/{%x%}')), 'a parameter named like a tag is skipped')
  t.notOk(yaml.includes(ENV_SECRET))
  t.ok(connector.name === TITLE, 'the in-memory connector holds the text too')
})

t.test('through a gateway: the upstream sees the literal parameter name and the real credential only', async (t) => {
  const upstream = await recordingUpstream(t)
  const file = await writeDocument(t, hostileDocument)
  const { yaml } = await importAndLoad(file, 'hostile', ENV)
  const config = parse(yaml) as { connectors: Record<string, Record<string, unknown>> }
  // The recording upstream stands in for the templated host.
  config.connectors.hostile!.base_url = upstream.url
  delete config.connectors.hostile!.allowed_hosts
  delete config.connectors.hostile!.inputs
  const lk = await startGateway(t, stringify({
    server: { allow_private_upstreams: true },
    callers: { api_keys: { svc: { key: "{{ get_secret('caller_key') }}" } } },
    ...config,
    connections: { h: { connector: 'hostile', auth: 'key', credentials: { key: "{{ get_secret('api_credential') }}" }, access: { callers: ['svc'] } } },
  }), { secrets: SECRETS, env: ENV })

  const res = await lk.fetch('/actions/h/get_secret_x/list', {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-latchkey-key': SECRETS.caller_key },
    body: '{}',
  })
  t.equal(res.status, 200, await res.text())
  const seen = upstream.last()
  const query = new URL(seen.url, 'http://x').searchParams
  t.same([...query.keys()], [KEY_NAME], 'the parameter name is the document text, not a rendering of it')
  t.equal(query.get(KEY_NAME), SECRETS.api_credential, 'the credential the connection holds')
  assertNoSecrets(t, [seen.url, JSON.stringify(seen.headers)], [SECRETS.x, ENV_SECRET])
  assertNoSecrets(t, lk.logs, Object.values(SECRETS).concat(ENV_SECRET))
})
