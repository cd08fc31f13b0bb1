/**
 * GET /connectors (issue 14, discovery for apps): any caller with an api key or a user token
 * gets the public connectors (built-in and configured) with display fields, auth methods and the
 * inputs each method's connect form asks for; private connectors, templates and secret values
 * never appear; anonymous and wrong credentials are 401; other methods 405.
 */
import t from 'tap'
import { APP_KEY, JWT_SECRET, userToken } from '../../helpers/connect.js'
import { assertNoSecrets, startGateway } from '../../helpers/gateway.js'

const SECRETS = { app_key: APP_KEY, jwt_secret: JWT_SECRET, hr_key: 'hr-key-value-9d8c7b', partner_header: 'partner-header-value-1a2b3c' }

const YAML = `
server: { host: 127.0.0.1, port: 0 }
callers:
  api_keys:
    app: { key: "{{ get_secret('app_key') }}" }
  jwt:
    issuer: https://issuer.test/
    audience: latchkey
    secret: "{{ get_secret('jwt_secret') }}"
    algorithms: [HS256]
connectors:
  internal-hr:
    name: Internal HR
    base_url: https://hr.internal.test
    auth: { methods: { key: { type: api_key, key: X-Key, value: "{{ get_secret('hr_key') }}" } } }
  partner-crm:
    name: Partner CRM
    description: Our partner's CRM
    domain: partner.test
    visibility: public
    icon_url: https://partner.test/icon.png
    base_url: https://crm.partner.test/v2
    headers: { X-Partner: "{{ get_secret('partner_header') }}" }
    inputs:
      - { name: region, label: Region, type: select, required: true, options: [eu, us], default: eu }
      - { name: api_key, label: API key, type: password, required: true, help: Settings > API }
    auth:
      default: key
      methods:
        key: { type: api_key, key: X-Key, value: "{{ connection.credentials.api_key }}" }
`

interface Listed { slug: string, auth_methods: Array<{ name: string, type: string, inputs: Array<{ name: string }> }> }

t.test('GET /connectors lists the public connectors for keys and users, never private ones or secrets', async (t) => {
  const lk = await startGateway(t, YAML, { secrets: SECRETS })

  const callers: Array<Record<string, string>> = [{ 'x-latchkey-key': APP_KEY }, { authorization: `Bearer ${await userToken('user-42')}` }]
  for (const headers of callers) {
    const res = await lk.fetch('/connectors', { headers })
    t.equal(res.status, 200)
    t.equal(res.headers.get('cache-control'), 'no-store')
    const text = await res.text()
    const { connectors } = JSON.parse(text) as { connectors: Listed[] }
    const slugs = connectors.map((c) => c.slug)
    t.ok(slugs.includes('partner-crm'), 'a public configured connector')
    for (const slug of ['github', 'zendesk', 'freshdesk', 'zoho-crm', 'netsuite']) t.ok(slugs.includes(slug), `built-in ${slug}`)
    t.notOk(slugs.includes('internal-hr'), 'a private connector is not listed')
    t.same(slugs, [...slugs].sort(), 'sorted by slug')

    t.same(connectors.find((c) => c.slug === 'partner-crm'), {
      slug: 'partner-crm',
      name: 'Partner CRM',
      description: 'Our partner\'s CRM',
      domain: 'partner.test',
      icon_url: 'https://partner.test/icon.png',
      default_auth: 'key',
      auth_methods: [{
        name: 'key',
        type: 'api_key',
        inputs: [
          { name: 'region', label: 'Region', type: 'select', required: true, default: 'eu', options: ['eu', 'us'] },
          { name: 'api_key', label: 'API key', type: 'password', required: true, help: 'Settings > API' },
        ],
      }],
    })
    // Each method lists only the inputs its own form asks for.
    const zendesk = connectors.find((c) => c.slug === 'zendesk')!
    t.same(zendesk.auth_methods.map((m) => [m.name, m.type, m.inputs.map((i) => i.name)]), [
      ['token', 'basic', ['subdomain', 'email', 'api_token']],
      ['oauth', 'oauth2', ['subdomain']],
    ])
    t.notOk(text.includes('{{'), 'no template reaches the answer')
    const keys = new Set(connectors.flatMap((c) => Object.keys(c)))
    t.same([...keys].sort(), ['auth_methods', 'default_auth', 'description', 'domain', 'icon_url', 'name', 'slug'], 'display fields only: no base URL, headers or auth fields')
    t.notOk(/client_secret|get_secret|connection\.credentials/.test(text), 'nothing a credential is built from')
    assertNoSecrets(t, [text, ...lk.logs], Object.values(SECRETS))
  }
})

t.test('anonymous and wrong credentials are 401; other methods 405', async (t) => {
  const lk = await startGateway(t, YAML, { secrets: SECRETS })
  const anonymous = await lk.fetch('/connectors')
  t.equal(anonymous.status, 401)
  t.match(await anonymous.json(), { error: { code: 'unauthenticated' } })
  const wrong: Array<Record<string, string>> = [{ 'x-latchkey-key': 'not-the-key' }, { authorization: 'Bearer not.a.jwt' }]
  for (const headers of wrong) {
    const res = await lk.fetch('/connectors', { headers })
    t.equal(res.status, 401)
    t.match(await res.json(), { error: { code: 'unauthenticated' } })
  }
  const post = await lk.fetch('/connectors', { method: 'POST', headers: { 'x-latchkey-key': APP_KEY } })
  t.equal(post.status, 405)
  t.equal(post.headers.get('allow'), 'GET, HEAD')
})
