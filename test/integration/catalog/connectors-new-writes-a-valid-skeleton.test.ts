/**
 * `latchkey connectors new`: the slug comes from the name (lower case, dashes) and is unique
 * against the built-in catalog and the config (-2, -3); the skeleton goes under `connectors:`
 * with the user's comments and layout kept; every auth kind gives a config `latchkey validate`
 * accepts; an explicit slug that exists is refused and the file stays as it was.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import t from 'tap'
import { parse } from 'yaml'
import { cliInProcess } from '../../helpers/cli-in-process.js'

const cli = cliInProcess

const ORIGINAL = `# Acme's gateway: edit with care
server:
  port: 8080   # behind the load balancer

connectors:
  # the old billing API, kept for reports
  legacy-billing:
    name: Legacy billing
    base_url: https://billing.acme.test
    auth: { methods: { none: { type: none } } }
`

async function configFile (t: { teardown: (fn: () => unknown) => void }, text: string): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'latchkey-connectors-new-'))
  t.teardown(() => rm(dir, { recursive: true, force: true }))
  const file = path.join(dir, 'latchkey.yaml')
  await writeFile(file, text)
  return file
}

t.test('the slug is made from the name and unique against the catalog and the config', async (t) => {
  const file = await configFile(t, ORIGINAL)
  t.same(await cli('connectors', 'new', 'Acme CRM', '--auth', 'api_key', '-c', file), { code: 0, stdout: 'acme-crm\n', stderr: '' })
  t.same(await cli('connectors', 'new', 'Acme CRM', '-c', file), { code: 0, stdout: 'acme-crm-2\n', stderr: '' }, 'taken in the config: -2')
  t.same(await cli('connectors', 'new', 'Acme  CRM!', '-c', file), { code: 0, stdout: 'acme-crm-3\n', stderr: '' }, 'then -3')
  t.same(await cli('connectors', 'new', 'Stripe', '-c', file), { code: 0, stdout: 'stripe-2\n', stderr: '' }, 'taken in the built-in catalog')
  t.same(await cli('connectors', 'new', 'Zoë\'s Café API', '-c', file), { code: 0, stdout: 'zoe-s-cafe-api\n', stderr: '' }, 'accents dropped')

  const text = await readFile(file, 'utf8')
  t.ok(text.startsWith(ORIGINAL.trimEnd()), 'everything the user wrote is kept as written, comments included')
  const doc = parse(text) as { connectors: Record<string, Record<string, unknown>> }
  t.same(Object.keys(doc.connectors), ['legacy-billing', 'acme-crm', 'acme-crm-2', 'acme-crm-3', 'stripe-2', 'zoe-s-cafe-api'])
  t.same(doc.connectors['acme-crm'], {
    name: 'Acme CRM',
    description: 'Acme CRM API',
    domain: 'acme-crm.example',
    visibility: 'private',
    icon_url: 'https://acme-crm.example/favicon.ico',
    base_url: 'https://api.acme-crm.example',
    auth: { default: 'api_key', methods: { api_key: { type: 'api_key', key: 'X-Api-Key', value: '{{ connection.credentials.api_key }}', in: 'header' } } },
    inputs: [{ name: 'api_key', label: 'API key', type: 'password', required: true }],
  })
  t.same(await cli('validate', '-c', file), { code: 0, stdout: 'ok\n', stderr: '' }, 'latchkey validate accepts the result')
})

t.test('every auth kind, with a domain, validates', async (t) => {
  const file = await configFile(t, 'server:\n  port: 8080\n')
  t.same(await cli('connectors', 'new', 'Widget Cloud', '--auth', 'api_key', 'bearer', 'basic', 'oauth2', '--domain', 'https://widgets.example.com/', '-c', file),
    { code: 0, stdout: 'widget-cloud\n', stderr: '' })
  t.same(await cli('connectors', 'new', 'Widget Cloud', '--auth', 'oauth2,basic', '-c', file), { code: 0, stdout: 'widget-cloud-2\n', stderr: '' }, 'comma-separated kinds')
  const doc = parse(await readFile(file, 'utf8')) as { connectors: Record<string, { domain: string, base_url: string, auth: { default: string, methods: Record<string, { type: string }> }, inputs: Array<{ name: string, type: string }> }> }
  const c = doc.connectors['widget-cloud']!
  t.equal(c.domain, 'widgets.example.com')
  t.equal(c.base_url, 'https://api.widgets.example.com')
  t.equal(c.auth.default, 'api_key', 'the first kind is the default')
  t.same(Object.entries(c.auth.methods).map(([n, m]) => `${n}:${m.type}`), ['api_key:api_key', 'bearer:bearer', 'basic:basic', 'oauth2:oauth2'])
  t.same(c.inputs.map((i) => `${i.name}:${i.type}`), ['api_key:password', 'access_token:password', 'username:text', 'password:password'])
  t.match(c.auth.methods.oauth2, { authorize_url: 'https://widgets.example.com/oauth/authorize', client_id: "{{ get_secret('widget_cloud_client_id') }}" })
  t.equal(doc.connectors['widget-cloud-2']!.auth.default, 'oauth2')
  t.same(await cli('validate', '-c', file), { code: 0, stdout: 'ok\n', stderr: '' })
})

t.test('a missing file is created with the connector alone', async (t) => {
  const dir = await mkdtemp(path.join(tmpdir(), 'latchkey-connectors-new-'))
  t.teardown(() => rm(dir, { recursive: true, force: true }))
  const file = path.join(dir, 'new.yaml')
  t.same(await cli('connectors', 'new', 'Acme CRM', '-c', file), { code: 0, stdout: 'acme-crm\n', stderr: '' })
  t.same(Object.keys((parse(await readFile(file, 'utf8')) as { connectors: object }).connectors), ['acme-crm'])
  t.same(await cli('validate', '-c', file), { code: 0, stdout: 'ok\n', stderr: '' })
})

t.test('an existing slug is refused and nothing is written', async (t) => {
  const file = await configFile(t, ORIGINAL)
  for (const [slug, where] of [['legacy-billing', 'latchkey.yaml'], ['github', 'built-in catalog']] as const) {
    const r = await cli('connectors', 'new', 'Anything', '--slug', slug, '-c', file)
    t.equal(r.code, 1)
    t.equal(r.stdout, '')
    t.match(r.stderr, `latchkey: connector ${slug} exists already`)
    t.match(r.stderr, where)
  }
  t.equal(await readFile(file, 'utf8'), ORIGINAL, 'the file is untouched')
})

t.test('bad input is refused with a clear message and changes nothing', async (t) => {
  const file = await configFile(t, ORIGINAL)
  const cases: Array<[string[], string]> = [
    [['--auth', 'saml'], '--auth saml: expected api_key, bearer, basic, oauth2'],
    [['--domain', 'not a domain'], '--domain "not a domain" is not a domain name'],
    [['--slug', 'Bad Slug'], '--slug "Bad Slug" must match'],
  ]
  for (const [args, message] of cases) {
    const r = await cli('connectors', 'new', 'Acme CRM', ...args, '-c', file)
    t.equal(r.code, 1, args.join(' '))
    t.match(r.stderr, message)
  }
  const r = await cli('connectors', 'new', '   ', '-c', file)
  t.equal(r.code, 1)
  t.match(r.stderr, 'the name must be 1 to 200 characters')
  const broken = await configFile(t, 'connectors: [a, b]\n')
  t.match((await cli('connectors', 'new', 'Acme', '-c', broken)).stderr, 'connectors must be a mapping')
  t.equal(await readFile(file, 'utf8'), ORIGINAL)
})
