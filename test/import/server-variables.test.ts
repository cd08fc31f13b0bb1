/**
 * SPEC 12: `base_url` from the first server; its variables become inputs read as
 * `{{ connection.config.<var> }}`, and a templated host gets `allowed_hosts` that admit exactly
 * the hosts the document describes. The loaded connector renders the default URL.
 */
import t from 'tap'
import path from 'node:path'
import { compileHostGlobs } from '../../src/proxy/host-guard.js'
import { TemplateEngine } from '../../src/templates/engine.js'
import { EXAMPLES, importAndLoad, op, openapi30, writeDocument } from './document.js'

const engine = new TemplateEngine({ variables: {} })
const render = (source: string, config: Record<string, string> = {}) => engine.compile(source, 'base_url').render({
  connection: { id: 'c', connector: 'api', owner: null, config, credentials: {} },
  caller: { id: null, kind: 'anonymous' },
  request: { method: 'GET', path: '/', query: {} },
}, new Map())

t.test('host, port and path variables (OpenAPI 3.0 server-variables example)', async (t) => {
  const { connector, loaded } = await importAndLoad(path.join(EXAMPLES, '3.0/json/server-variables.json'))
  t.equal(connector.base_url,
    "https://{{ connection.config.name | default('demo') }}.example.com:{{ connection.config.port | default('443') }}/{{ connection.config.base_path | default('v2') }}",
    'the first server; each variable a config reference with its default')
  t.same(connector.inputs!.map((i) => [i.name, i.label, i.type, i.default, i.required]), [
    ['name', 'name', 'text', 'demo', false],
    ['port', 'port', 'text', '443', false],
    ['base_path', 'basePath', 'text', 'v2', false],
  ], 'inputs named in snake_case, labelled with the document name, defaults noted')
  t.equal(render(loaded.base_url!), 'https://demo.example.com:443/v2', 'defaults render without any config')
  t.equal(render(loaded.base_url!, { name: 'acme', port: '8443', base_path: 'v3' }), 'https://acme.example.com:8443/v3')
  const allowed = compileHostGlobs(loaded.allowed_hosts!)
  t.ok(allowed('acme.example.com'), 'a value of the variable is admitted')
  t.notOk(allowed('evil.com'), 'another host is not')
  t.notOk(allowed('a.b.example.com'), 'a variable inside one label does not span two')
})

t.test('enum variables: select inputs, every host listed', async (t) => {
  const file = await writeDocument(t, openapi30({
    servers: [
      { url: 'https://{region}.api.example.com/{version}', variables: { region: { default: 'us', enum: ['us', 'eu'], description: 'Data region' }, version: { default: 'v1' } } },
      { url: 'https://ignored.example.com' },
    ],
  }, { '/x': { get: op() } }))
  const { connector } = await importAndLoad(file)
  t.same(connector.allowed_hosts, ['us.api.example.com', 'eu.api.example.com'])
  t.same(connector.inputs![0], { name: 'region', label: 'region', type: 'select', required: false, default: 'us', options: ['us', 'eu'], help: 'Data region' })
  t.equal(connector.inputs![1]!.pattern, '^[A-Za-z0-9_~-][A-Za-z0-9._~-]*(/[A-Za-z0-9_~-][A-Za-z0-9._~-]*)*$', 'a path variable cannot climb with ..')
})

t.test('a variable that is the whole host admits only its default host', async (t) => {
  const file = await writeDocument(t, openapi30({
    servers: [{ url: 'https://{host}/api', variables: { host: { default: 'api.example.com' } } }],
  }, { '/x': { get: op() } }))
  const { connector } = await importAndLoad(file)
  t.equal(connector.base_url, "https://{{ connection.config.host | default('api.example.com') }}/api")
  t.same(connector.allowed_hosts, ['api.example.com'], 'fail closed: the operator widens it by hand')
})

t.test('only the port varies: the fixed host is still listed (a templated base URL needs one)', async (t) => {
  const file = await writeDocument(t, openapi30({
    servers: [{ url: 'http://localhost:{port}', variables: { port: { default: '8080' } } }],
  }, { '/x': { get: op() } }))
  const { connector } = await importAndLoad(file)
  t.same(connector.allowed_hosts, ['localhost'])
})

t.test('unusable servers are skipped; none absolute: the origin becomes an input', async (t) => {
  const file = await writeDocument(t, openapi30({
    servers: [{ url: '/api/v3' }, { url: 'ftp://files.example.com' }, { url: 'https://{undeclared}.example.com' }],
  }, { '/x': { get: op() } }))
  const { connector, warnings } = await importAndLoad(file)
  t.equal(connector.base_url, '{{ connection.config.base_url }}/api/v3', 'the relative path kept after the supplied origin')
  t.same(connector.allowed_hosts, [], 'no host admitted until the operator lists some')
  t.same(connector.inputs![0], { name: 'base_url', label: 'Base URL', type: 'url', required: true, help: 'The API origin, such as https://api.example.com' })
  t.ok(warnings.some((w) => w.includes('ftp://')), 'the ftp server is named in a warning')
  t.ok(warnings.some((w) => w.includes('{undeclared}')), 'the undeclared variable is named')
  t.ok(warnings.some((w) => w.includes('no absolute server URL')))
})

t.test('Swagger 2.0 without host: no absolute URL either', async (t) => {
  const file = await writeDocument(t, { swagger: '2.0', info: { title: 'x', version: '1' }, basePath: '/v1', paths: { '/x': { get: op() } } })
  const { connector } = await importAndLoad(file)
  t.equal(connector.base_url, '{{ connection.config.base_url }}/v1')
})
