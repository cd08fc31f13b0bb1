/**
 * Issue 14's "done when": `latchkey connectors new "Acme CRM" --auth api_key` gives a connector
 * a user can connect through the connect page at once, with nothing edited by hand: connect
 * session, the page's masked API key field, the form POST, the stored (sealed) connection, and a
 * proxied call that reaches the skeleton's base URL (https://api.acme.com, served by a fake on
 * loopback through the real-URL harness) with the typed key in X-Api-Key.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import t from 'tap'
import { cliInProcess } from '../../helpers/cli-in-process.js'
import { assertNoSecrets } from '../../helpers/gateway.js'
import { providerFake } from '../../helpers/provider-fakes.js'
import { APP_KEY, proxied, startProviderHarness } from '../../helpers/provider-hosts.js'
import { noOAuth } from '../../helpers/provider-shapes-b.js'

const TYPED_KEY = 'acme-crm-key-typed-by-user-5f1e'

t.test('a new api_key skeleton connects through the connect page at once', async (t) => {
  const dir = await mkdtemp(path.join(tmpdir(), 'latchkey-connectors-new-'))
  t.teardown(() => rm(dir, { recursive: true, force: true }))
  const file = path.join(dir, 'connectors.yaml')
  t.same(await cliInProcess('connectors', 'new', 'Acme CRM', '--auth', 'api_key', '--domain', 'acme.com', '-c', file), { code: 0, stdout: 'acme-crm\n', stderr: '' })

  const fake = providerFake({
    slug: 'acme-crm',
    hosts: ['api.acme.com'],
    ...noOAuth('api.acme.com'),
    clientAuth: 'body',
    formats: ['form'],
    tokenBody: () => ({}),
    accessTokens: () => [],
    presented: (req) => req.headers['x-api-key'],
    staticTokens: [TYPED_KEY],
    api: (req) => req.url.pathname === '/v1/contacts' ? { body: { contacts: [{ id: 1, name: 'Ada' }] } } : undefined,
  })
  const h = await startProviderHarness(t, { fakes: [fake], slugs: [], extraYaml: await readFile(file, 'utf8') })

  const created = await h.fetch('/connect/sessions', {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-latchkey-key': APP_KEY },
    body: JSON.stringify({ connector: 'acme-crm', connection: 'acme-1' }),
  })
  t.equal(created.status, 201)
  const { token } = await created.json() as { token: string }

  const page = await h.fetch(`/connect/${token}`)
  t.equal(page.status, 200)
  const html = await page.text()
  t.match(html, /Acme CRM/)
  t.match(html, /<input type="password" id="f-api_key" name="v:api_key" required/, 'the API key field, masked and required')

  const submit = await h.fetch(`/connect/${token}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ auth: 'api_key', 'v:api_key': TYPED_KEY }).toString(),
    redirect: 'manual',
  })
  const result = await submit.text()
  t.equal(submit.status, 200, result)
  t.match(result, /Acme CRM is connected/)

  const stored = await h.stored('acme-1')
  t.match(stored, { connector: 'acme-crm', auth: 'api_key', status: 'connected' })
  t.same(stored?.credentials, { api_key: TYPED_KEY })

  const res = await proxied(h, 'acme-1', '/v1/contacts?limit=10')
  t.equal(res.status, 200)
  t.same(await res.json(), { contacts: [{ id: 1, name: 'Ada' }] })
  const call = fake.apiRequests.at(-1)!
  t.equal(call.url.href, 'https://api.acme.com/v1/contacts?limit=10', 'the skeleton\'s base URL, unchanged')
  t.equal(call.headers['x-api-key'], TYPED_KEY)
  assertNoSecrets(t, [...h.logs, html, result], [TYPED_KEY])
})
