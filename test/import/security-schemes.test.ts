/**
 * SPEC 12: one auth method per security scheme, credentials from `connection.credentials.*`
 * through `password` inputs, OAuth app credentials as `<slug>_client_id`-style secrets,
 * unmappable schemes skipped with a warning, the default the document's own first choice.
 */
import t from 'tap'
import path from 'node:path'
import { EXAMPLES, importAndLoad, op, openapi30, writeDocument } from './document.js'

t.test('every OpenAPI 3 scheme type, mapped or skipped (3.0 security example)', async (t) => {
  const { connector, warnings, loaded } = await importAndLoad(path.join(EXAMPLES, '3.0/json/security.json'), 'sec-api')
  const methods = connector.auth!.methods
  t.same(methods.api_key_header, { type: 'api_key', key: 'X-API-KEY', value: '{{ connection.credentials.api_key_header }}', in: 'header' })
  t.same(methods.api_key_query, { type: 'api_key', key: 'apiKey', value: '{{ connection.credentials.api_key_query }}', in: 'query' })
  t.same(methods.basic, { type: 'basic', username: '{{ connection.credentials.basic_username }}', password: '{{ connection.credentials.basic_password }}' })
  t.same(methods.bearer, { type: 'bearer', token: '{{ connection.credentials.bearer }}' })
  t.same(methods.oauth2, {
    type: 'oauth2',
    authorize_url: 'http://example.com/oauth/dialog',
    token_url: 'http://example.com/oauth/token',
    client_id: "{{ get_secret('sec_api_client_id') }}",
    client_secret: "{{ get_secret('sec_api_client_secret') }}",
    scopes: ['write:things'],
  }, 'authorizationCode -> oauth2, secrets named like the catalog (dashes as underscores)')
  t.same(methods.oauth2_client_credentials, {
    type: 'oauth_client_credentials',
    token_url: 'http://example.com/oauth/token',
    client_id: "{{ get_secret('sec_api_client_id') }}",
    client_secret: "{{ get_secret('sec_api_client_secret') }}",
    scope: 'write:things',
  }, 'clientCredentials of the same scheme -> oauth_client_credentials, same OAuth app')
  t.notOk(methods.api_key_cookie, 'a cookie API key has no method')
  t.notOk(methods.open_id_connect, 'openIdConnect has no method')
  t.equal(connector.auth!.default, 'api_key_header', 'no top-level security: the first mapped scheme')

  for (const name of ['api_key_header', 'api_key_query', 'basic_username', 'basic_password', 'bearer']) {
    const input = connector.inputs!.find((i) => i.name === name)
    t.equal(input?.type, 'password', `${name} is a password input`)
    t.equal(input?.required, true)
  }
  t.ok(warnings.some((w) => w.includes('"apiKey_cookie"') && w.includes('cookie')), 'cookie skipped with a warning')
  t.ok(warnings.some((w) => w.includes('"openIdConnect"')), 'openIdConnect skipped with a warning')
  t.ok(warnings.some((w) => w.includes('"oauth2_implicit"') && w.includes('implicit')), 'implicit skipped with a warning')
  t.ok(warnings.some((w) => w.includes('"oauth2_password"') && w.includes('password')), 'password flow skipped with a warning')
  t.equal(loaded.auth.methods.basic?.type, 'basic', 'the output loads')
})

t.test('Swagger 2.0: basic, apiKey, accessCode and application flows; default from top-level security', async (t) => {
  const file = await writeDocument(t, {
    swagger: '2.0',
    info: { title: 'Two', version: '1' },
    host: 'api.example.com',
    basePath: '/v2',
    schemes: ['http', 'https'],
    securityDefinitions: {
      basicAuth: { type: 'basic' },
      key: { type: 'apiKey', in: 'query', name: 'token' },
      code: { type: 'oauth2', flow: 'accessCode', authorizationUrl: 'https://auth.example.com/authorize', tokenUrl: 'https://auth.example.com/token', scopes: { read: 'r', write: 'w' } },
      machine: { type: 'oauth2', flow: 'application', tokenUrl: '/oauth/token', scopes: {} },
      legacy: { type: 'oauth2', flow: 'implicit', authorizationUrl: 'https://auth.example.com/authorize', scopes: {} },
    },
    security: [{ code: ['read'] }, { basicAuth: [] }],
    paths: { '/x': { get: op() } },
  })
  const { connector, warnings } = await importAndLoad(file, 'two')
  t.equal(connector.base_url, 'https://api.example.com/v2', 'https preferred among schemes')
  const methods = connector.auth!.methods
  t.same(Object.keys(methods), ['basic_auth', 'key', 'code', 'machine'])
  t.same(methods.key, { type: 'api_key', key: 'token', value: '{{ connection.credentials.key }}', in: 'query' })
  t.match(methods.code, { type: 'oauth2', authorize_url: 'https://auth.example.com/authorize', token_url: 'https://auth.example.com/token', scopes: ['read', 'write'], client_id: "{{ get_secret('two_client_id') }}" })
  t.same(methods.machine, {
    type: 'oauth_client_credentials',
    token_url: 'https://api.example.com/oauth/token',
    client_id: "{{ get_secret('two_machine_client_id') }}",
    client_secret: "{{ get_secret('two_machine_client_secret') }}",
  }, 'a relative token URL resolves against the base URL; a second OAuth scheme has secrets of its own')
  t.equal(connector.auth!.default, 'code', "the document's first top-level requirement")
  t.ok(warnings.some((w) => w.includes('"legacy"')), 'implicit skipped with a warning')
})

t.test('no security schemes: auth none', async (t) => {
  const file = await writeDocument(t, openapi30({}, { '/x': { get: op() } }))
  const { connector, warnings, loaded } = await importAndLoad(file)
  t.same(connector.auth, { default: 'none', methods: { none: { type: 'none' } } })
  t.notOk(connector.inputs, 'no inputs')
  t.same(warnings, [])
  t.equal(loaded.auth.default, 'none')
})

t.test('only unmappable schemes: auth none, and a warning that says so', async (t) => {
  const file = await writeDocument(t, openapi30({
    components: { securitySchemes: { oidc: { type: 'openIdConnect', openIdConnectUrl: 'https://id.example.com/.well-known/openid-configuration' }, digest: { type: 'http', scheme: 'digest' } } },
  }, { '/x': { get: op() } }))
  const { connector, warnings } = await importAndLoad(file)
  t.same(connector.auth, { default: 'none', methods: { none: { type: 'none' } } })
  t.ok(warnings.some((w) => w.includes('"digest"') && w.includes('digest')))
  t.ok(warnings.some((w) => w.includes('sends no credentials')))
})

t.test('input names stay unique across schemes and server variables; bad header names are skipped', async (t) => {
  const file = await writeDocument(t, openapi30({
    servers: [{ url: 'https://{api_key}.example.com', variables: { api_key: { default: 'eu' } } }],
    components: {
      securitySchemes: {
        api_key: { type: 'apiKey', in: 'header', name: 'X-Key' },
        'api-key': { type: 'apiKey', in: 'header', name: 'X-Other' },
        broken: { type: 'apiKey', in: 'header', name: 'Bad Header: x' },
      },
    },
  }, { '/x': { get: op() } }))
  const { connector, warnings } = await importAndLoad(file)
  t.same(connector.inputs!.map((i) => i.name), ['api_key', 'api_key_2', 'api_key_2_2'])
  t.same(Object.keys(connector.auth!.methods), ['api_key', 'api_key_2'], 'method names unique too')
  t.equal((connector.auth!.methods.api_key as { value: string }).value, '{{ connection.credentials.api_key_2 }}')
  t.ok(warnings.some((w) => w.includes('"broken"') && w.includes('not a valid header name')))
})
