/**
 * Pins the catalog's provider-specific oauth2 settings (SPEC 10: the deviations from plain
 * OAuth2 are config, each taken from the provider's documentation cited in the entry).
 */
import t from 'tap'
import { BUILTIN_CONNECTORS } from '../../../src/catalog/builtin.js'
import type { AuthMethodOf, ConnectorConfig } from '../../../src/config/schema.js'
import { compileHostGlobs } from '../../../src/proxy/host-guard.js'
import { TemplateEngine } from '../../../src/templates/index.js'
import { parseJsonPath } from '../../../src/text/json-path.js'

type OAuth2 = AuthMethodOf<'oauth2'>
const c = BUILTIN_CONNECTORS
const method = (slug: string, name = 'oauth') => c[slug]!.auth!.methods[name]!
const oauth2 = (slug: string, name = 'oauth') => method(slug, name) as OAuth2

const engine = new TemplateEngine({ variables: {} })
/** Renders one of `slug`'s templates for a connection with `config`. */
function render (slug: string, source: string, config: Record<string, unknown> = {}): string {
  return engine.compile(source, 'base_url').render({
    connection: { id: 'x', connector: slug, owner: null, config, credentials: {} },
    caller: { id: null, kind: 'anonymous' },
    request: { method: 'GET', path: '/', query: {} },
  }, new Map())
}
const allowed = (connector: ConnectorConfig, url: string) => compileHostGlobs(connector.allowed_hosts ?? [])(new URL(url).hostname)

t.test('shopify: the oauth2 token goes bare in X-Shopify-Access-Token, no PKCE', async (t) => {
  t.match(oauth2('shopify'), { header: 'X-Shopify-Access-Token', prefix: '', pkce: false })
})

t.test('notion: JSON token body, client id and secret as HTTP Basic', async (t) => {
  t.match(oauth2('notion'), { token_format: 'json', client_auth: 'basic', token_url: 'https://api.notion.com/v1/oauth/token' })
})

t.test('xero: granular scopes, tenant id from /connections, sent on every call', async (t) => {
  const oauth = oauth2('xero')
  t.same(oauth.scopes, [
    'offline_access', 'accounting.settings', 'accounting.contacts',
    'accounting.invoices', 'accounting.payments', 'accounting.banktransactions', 'accounting.manualjournals',
  ])
  t.notOk(oauth.scopes!.some((s) => s.startsWith('accounting.transactions')), 'no broad transactions scope')
  t.match(oauth, { client_auth: 'basic', pkce: true, token_url: 'https://identity.xero.com/connect/token' })
  t.same(oauth.post_connect, {
    method: 'GET',
    url: 'https://api.xero.com/connections',
    headers: { Accept: 'application/json' },
    metadata: { tenant_id: '[0].tenantId' },
  })
  t.equal(c.xero!.headers!['xero-tenant-id'], '{{ connection.config.tenant_id }}')
  const custom = method('xero', 'custom_connection') as AuthMethodOf<'oauth_client_credentials'>
  t.notMatch(custom.scope, /accounting\.transactions/)
  t.match(custom.scope, /accounting\.invoices/)
  t.equal(c.xero!.inputs!.find((i) => i.name === 'tenant_id')?.required, false, 'filled in by post_connect')
})

t.test('hubspot: the date-versioned token endpoint, not the retiring v1', async (t) => {
  t.equal(oauth2('hubspot').token_url, 'https://api.hubapi.com/oauth/2026-03/token')
  t.equal(oauth2('hubspot').authorize_url, 'https://app.hubspot.com/oauth/authorize')
})

t.test('zendesk: expiring tokens with refresh, expires_in on the code exchange and the refresh', async (t) => {
  const oauth = oauth2('zendesk')
  t.same(oauth.token_params, { expires_in: '1800' })
  t.same(oauth.refresh_params, { expires_in: '1800' })
  t.equal(oauth.token_url, 'https://{{ connection.config.subdomain }}.zendesk.com/oauth/tokens')
  t.equal(render('zendesk', oauth.token_url, { subdomain: 'acme' }), 'https://acme.zendesk.com/oauth/tokens')
})

t.test('quickbooks: realmId from the redirect becomes the company in the base URL and test path', async (t) => {
  t.same(oauth2('quickbooks').redirect_metadata, { realm_id: 'realmId' })
  t.equal(render('quickbooks', c.quickbooks!.base_url!, { realm_id: '4620816365' }), 'https://quickbooks.api.intuit.com/v3/company/4620816365')
  t.equal(c.quickbooks!.test!.path, '/companyinfo/{{ connection.config.realm_id }}')
})

t.test('jira: cloud id from accessible-resources; OAuth calls go through api.atlassian.com', async (t) => {
  const oauth = oauth2('jira')
  t.same(oauth.post_connect, {
    method: 'GET',
    url: 'https://api.atlassian.com/oauth/token/accessible-resources',
    headers: { Accept: 'application/json' },
    metadata: { cloud_id: '[0].id' },
  })
  t.match(oauth, { token_url: 'https://auth.atlassian.com/oauth/token', token_format: 'json', pkce: false })
  const cloud = '11111111-2222-3333-4444-555555555555'
  const viaGateway = render('jira', c.jira!.base_url!, { cloud_id: cloud })
  t.equal(viaGateway, `https://api.atlassian.com/ex/jira/${cloud}/rest/api/3`)
  t.ok(allowed(c.jira!, viaGateway))
  t.equal(render('jira', c.jira!.base_url!, { site: 'acme' }), 'https://acme.atlassian.net/rest/api/3')
})

t.test('salesforce: login host input in the authorize and token URLs; instance_url from the token response', async (t) => {
  const oauth = oauth2('salesforce')
  t.same(oauth.metadata, ['instance_url'])
  const input = c.salesforce!.inputs!.find((i) => i.name === 'login_host')
  t.match(input, { required: false, default: 'login.salesforce.com' })
  const pattern = new RegExp(input!.pattern!, 'u')
  for (const host of ['login.salesforce.com', 'test.salesforce.com', 'acme.my.salesforce.com', 'acme--dev.sandbox.my.salesforce.com']) {
    t.ok(pattern.test(host), host)
  }
  for (const host of ['evil.example.com', 'login.salesforce.com.evil.example', 'https://login.salesforce.com']) {
    t.notOk(pattern.test(host), host)
  }
  t.equal(render('salesforce', oauth.authorize_url), 'https://login.salesforce.com/services/oauth2/authorize')
  t.equal(render('salesforce', oauth.token_url, { login_host: 'test.salesforce.com' }), 'https://test.salesforce.com/services/oauth2/token')
  const myDomain = render('salesforce', oauth.token_url, { login_host: 'acme.my.salesforce.com' })
  t.equal(myDomain, 'https://acme.my.salesforce.com/services/oauth2/token')
  t.ok(allowed(c.salesforce!, myDomain))

  const jwt = method('salesforce', 'jwt') as AuthMethodOf<'oauth_jwt_bearer'>
  t.equal(render('salesforce', jwt.audience), 'https://login.salesforce.com')
  t.equal(render('salesforce', jwt.audience, { login_host: 'test.salesforce.com' }), 'https://test.salesforce.com')
  t.equal(render('salesforce', jwt.audience, { login_host: 'acme.my.salesforce.com' }), 'https://login.salesforce.com')
  t.equal(render('salesforce', jwt.token_url, { login_host: 'test.salesforce.com' }), 'https://test.salesforce.com/services/oauth2/token')
})

t.test('slack: the test fails on a 200 with ok: false', async (t) => {
  t.same(c.slack!.test, { method: 'GET', path: '/auth.test', expect_status: 200, expect_json: { ok: true } })
  t.equal(c.slack!.base_url, 'https://slack.com/api')
  t.match(oauth2('slack'), { pkce: false })
})

t.test('microsoft: test requests valid for app-only tokens, none under /me', async (t) => {
  t.same(c['microsoft-graph']!.test, { method: 'GET', path: '/organization?$select=id', expect_status: 200 })
  t.same(c.outlook!.test, { method: 'GET', path: '/organization?$select=id', expect_status: 200 })
  t.same(c.sharepoint!.test, { method: 'GET', path: '/sites/root', expect_status: 200 })
  for (const [slug, connector] of Object.entries(c)) {
    if (connector.domain !== 'microsoft.com') continue
    t.ok(connector.auth!.methods.app, `${slug} has an app-only method`)
    t.notMatch(connector.test!.path, /^\/me(\/|\?|$)/, `${slug}: test not under /me`)
  }
})

t.test('cin7: the documented cheap authenticated GETs', async (t) => {
  t.same(c['cin7-core']!.test, { method: 'GET', path: '/me', expect_status: 200 })
  t.same(c['cin7-omni']!.test, { method: 'GET', path: '/v1/Branches', expect_status: 200 })
})

t.test('clickup and the others without PKCE say so', async (t) => {
  for (const slug of ['clickup', 'shopify', 'slack', 'notion', 'quickbooks', 'jira', 'box', 'discord', 'typeform']) {
    t.equal(oauth2(slug).pkce, false, slug)
  }
  t.match(oauth2('clickup'), { token_url: 'https://api.clickup.com/api/v2/oauth/token' })
  t.equal(oauth2('clickup').token_format, undefined, 'form body')
})

t.test('every post_connect and expect_json path is a valid JSON path; metadata targets are inputs', async (t) => {
  for (const [slug, connector] of Object.entries(c)) {
    const inputs = new Set((connector.inputs ?? []).map((i) => i.name))
    for (const key of Object.keys(connector.test?.expect_json ?? {})) t.doesNotThrow(() => parseJsonPath(key), `${slug} expect_json ${key}`)
    for (const [name, m] of Object.entries(connector.auth?.methods ?? {})) {
      if (m.type !== 'oauth2') continue
      for (const [field, path] of Object.entries(m.post_connect?.metadata ?? {})) {
        t.doesNotThrow(() => parseJsonPath(path), `${slug}.${name} post_connect ${field}`)
        t.ok(inputs.has(field), `${slug}.${name}: ${field} is an input`)
      }
      const copied = (fields: string[] | Record<string, string> | undefined) => Array.isArray(fields) ? fields : Object.keys(fields ?? {})
      for (const field of [...copied(m.metadata), ...copied(m.redirect_metadata)]) t.ok(inputs.has(field), `${slug}.${name}: ${field} is an input`)
    }
  }
})
