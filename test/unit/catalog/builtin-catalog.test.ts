import t from 'tap'
import { BUILTIN_CONNECTORS } from '../../../src/catalog/builtin.js'
import type { ConnectorConfig } from '../../../src/config/schema.js'
import { compileHostGlobs } from '../../../src/proxy/host-guard.js'
import { TemplateEngine } from '../../../src/templates/index.js'
import { load, problemsOf } from '../../helpers/config.js'

/** SPEC 10: the catalog holds at least these. */
const SPEC_SLUGS = [
  'shopify', 'stripe', 'xero', 'quickbooks', 'cin7-core', 'cin7-omni', 'github', 'slack', 'hubspot',
  'openai', 'http', 'sendgrid', 'google-calendar', 'google-drive', 'google-sheets', 'gmail', 'notion',
  'microsoft-graph', 'sharepoint', 'outlook', 'salesforce', 'linear', 'airtable', 'dropbox', 'box',
  'clickup', 'discord', 'typeform', 'jira', 'zendesk',
]

const entries = Object.entries(BUILTIN_CONNECTORS)

/** A plausible value for a required non-password input, matching its pattern. */
const SAMPLE: Record<string, string> = {
  base_url: 'https://api.example.com',
  shop: 'acme',
  tenant_id: '0b5a4c3e-8f1d-4c2b-9a7e-1d2c3b4a5f60',
  realm_id: '1234567890',
  account_id: '0b5a4c3e-8f1d-4c2b-9a7e-1d2c3b4a5f60',
  username: 'api-user',
  instance_url: 'https://acme.my.salesforce.com',
  site: 'acme',
  subdomain: 'acme',
  api_key: '0123456789abcdef0123456789abcdef',
  account_sid: 'AC0123456789abcdef0123456789abcdef',
  instance: 'dev12345',
  data_centre: 'eu',
}

function requiredConfig (connector: ConnectorConfig): Record<string, string> {
  const config: Record<string, string> = {}
  for (const input of connector.inputs ?? []) {
    if (input.required !== true || input.type === 'password') continue
    const value = SAMPLE[input.name]
    if (value === undefined) throw new Error(`no sample value for input '${input.name}'`)
    config[input.name] = value
  }
  return config
}

/** Every string in a value, with its dotted path. */
function strings (value: unknown, path = ''): Array<[string, string]> {
  if (typeof value === 'string') return [[path, value]]
  if (Array.isArray(value)) return value.flatMap((v, i) => strings(v, `${path}[${i}]`))
  if (value !== null && typeof value === 'object') {
    return Object.entries(value).flatMap(([k, v]) => strings(v, path === '' ? k : `${path}.${k}`))
  }
  return []
}

t.test('every SPEC 10 slug is in the catalog', async (t) => {
  for (const slug of SPEC_SLUGS) t.ok(BUILTIN_CONNECTORS[slug], slug)
})

t.test('every entry is valid config: copied into a YAML file, it loads without problems', async (t) => {
  // YAML is a superset of JSON: the entries go in exactly as written.
  const connectors = Object.fromEntries(entries.map(([slug, c]) => [`copy-${slug}`, c]))
  t.same(problemsOf(JSON.stringify({ connectors })), [])
})

t.test('a connection to each built-in connector loads, with each of its auth methods', async (t) => {
  for (const [slug, connector] of entries) {
    const connections: Record<string, unknown> = {}
    for (const method of Object.keys(connector.auth?.methods ?? {})) {
      connections[`x-${slug}-${method}`.replace(/_/g, '-')] = { connector: slug, auth: method, config: requiredConfig(connector) }
    }
    connections[`x-${slug}`] = { connector: slug, config: requiredConfig(connector) }
    t.same(problemsOf(JSON.stringify({ connections })), [], slug)
    const loaded = load(JSON.stringify({ connections }))
    t.equal(loaded.connectors.get(slug)?.source, 'builtin', slug)
  }
})

t.test('a connector may extend each built-in one', async (t) => {
  const connectors = Object.fromEntries(entries.map(([slug]) => [`my-${slug}`, { extends: slug }]))
  t.same(problemsOf(JSON.stringify({ connectors })), [])
})

t.test('per connector: metadata, inputs referenced by templates, hosts of templated base URLs', async (t) => {
  for (const [slug, c] of entries) {
    t.ok(c.name, `${slug} has a name`)
    t.equal(c.visibility, 'public', `${slug} is public`)
    if (slug !== 'http') t.ok(c.domain, `${slug} has a domain`)
    const methods = Object.keys(c.auth?.methods ?? {})
    t.ok(methods.length > 0, `${slug} has auth methods`)
    t.ok(c.auth?.default !== undefined && methods.includes(c.auth.default), `${slug} names a known default method`)

    const inputs = new Map((c.inputs ?? []).map((i) => [i.name, i]))
    for (const [path, text] of strings(c)) {
      for (const m of text.matchAll(/connection\.(config|credentials)\.([A-Za-z_][A-Za-z0-9_]*)/g)) {
        const input = inputs.get(m[2]!)
        t.ok(input, `${slug} ${path}: input '${m[2]}' exists`)
        if (input === undefined) continue
        // Secrets are credentials, everything else config (SPEC 3).
        t.equal(m[1], input.type === 'password' ? 'credentials' : 'config', `${slug} ${path}: ${m[0]} matches the input type`)
      }
      for (const m of text.matchAll(/get_secret\('([^']*)'\)/g)) {
        t.match(m[1], /^[A-Za-z_][A-Za-z0-9_]*$/, `${slug} ${path}: secret name`)
      }
    }
    for (const input of c.inputs ?? []) {
      if (input.pattern !== undefined) t.doesNotThrow(() => new RegExp(input.pattern!, 'u'), `${slug}.${input.name} pattern`)
    }

    const base = c.base_url ?? ''
    if (/\{[{%]/.test(base)) {
      t.ok((c.allowed_hosts ?? []).length > 0, `${slug}: templated base_url has allowed_hosts`)
    } else {
      t.ok(new URL(base).protocol === 'https:', `${slug}: a fixed https base URL`)
      t.notOk(base.endsWith('/'), `${slug}: no trailing slash`)
    }
  }
})

t.test('templated base URLs render to hosts their allowed_hosts admit', async (t) => {
  const engine = new TemplateEngine({ variables: {} })
  const render = (slug: string, config: Record<string, unknown>) => {
    const c = BUILTIN_CONNECTORS[slug]!
    const url = new URL(engine.compile(c.base_url!, 'base_url').render({
      connection: { id: 'x', connector: slug, owner: null, config, credentials: {} },
      caller: { id: null, kind: 'anonymous' },
      request: { method: 'GET', path: '/', query: {} },
    }, new Map()))
    t.ok(compileHostGlobs(c.allowed_hosts ?? [])(url.hostname), `${slug}: ${url.hostname} is allowed`)
    return url.href
  }
  t.equal(render('shopify', { shop: 'acme' }), 'https://acme.myshopify.com/admin/api/2025-10')
  t.equal(render('quickbooks', { realm_id: '123' }), 'https://quickbooks.api.intuit.com/v3/company/123')
  t.equal(render('salesforce', { instance_url: 'https://acme.my.salesforce.com' }), 'https://acme.my.salesforce.com/services/data/v62.0')
  t.equal(render('salesforce', { instance_url: 'https://acme--dev.sandbox.my.salesforce.com' }), 'https://acme--dev.sandbox.my.salesforce.com/services/data/v62.0')
  t.equal(render('zendesk', { subdomain: 'acme' }), 'https://acme.zendesk.com/api/v2')
  t.equal(render('jira', { site: 'acme' }), 'https://acme.atlassian.net/rest/api/3')
  t.equal(render('jira', { site: 'acme', cloud_id: '11111111-2222-3333-4444-555555555555' }),
    'https://api.atlassian.com/ex/jira/11111111-2222-3333-4444-555555555555/rest/api/3')
})

t.test('spot checks against provider documentation', async (t) => {
  const c = BUILTIN_CONNECTORS
  const method = (slug: string, name: string) => c[slug]!.auth!.methods[name]!

  t.match(method('shopify', 'oauth'), {
    type: 'oauth2',
    authorize_url: 'https://{{ connection.config.shop }}.myshopify.com/admin/oauth/authorize',
    token_url: 'https://{{ connection.config.shop }}.myshopify.com/admin/oauth/access_token',
    scope_separator: ',',
  })
  t.match(method('shopify', 'token'), { type: 'api_key', key: 'X-Shopify-Access-Token' })
  t.same(c.shopify!.allowed_hosts, ['*.myshopify.com'])

  t.equal(c.slack!.base_url, 'https://slack.com/api')
  t.match(method('slack', 'oauth'), {
    authorize_url: 'https://slack.com/oauth/v2/authorize',
    token_url: 'https://slack.com/api/oauth.v2.access',
    scope_separator: ',',
  })
  t.match(method('slack', 'oauth_user'), { token_path: 'authed_user' })

  t.equal(c['microsoft-graph']!.base_url, 'https://graph.microsoft.com/v1.0')
  t.match(method('microsoft-graph', 'oauth'), {
    authorize_url: "https://login.microsoftonline.com/{{ connection.config.tenant | default('common') }}/oauth2/v2.0/authorize",
    token_url: "https://login.microsoftonline.com/{{ connection.config.tenant | default('common') }}/oauth2/v2.0/token",
  })
  t.ok((method('microsoft-graph', 'oauth') as { scopes: string[] }).scopes.includes('offline_access'))
  t.match(c['microsoft-graph']!.inputs, [{ name: 'tenant', default: 'common' }])

  const sf = Object.values(c.salesforce!.auth!.methods).map((m) => m.type).sort()
  t.same(sf, ['oauth2', 'oauth_jwt_bearer'])
  t.match(method('salesforce', 'oauth'), {
    authorize_url: "https://{{ connection.config.login_host | default('login.salesforce.com') }}/services/oauth2/authorize",
    token_url: "https://{{ connection.config.login_host | default('login.salesforce.com') }}/services/oauth2/token",
  })
  t.match(method('salesforce', 'jwt'), { token_url: "https://{{ connection.config.login_host | default('login.salesforce.com') }}/services/oauth2/token" })

  t.match(method('google-drive', 'oauth'), {
    authorize_url: 'https://accounts.google.com/o/oauth2/v2/auth',
    token_url: 'https://oauth2.googleapis.com/token',
    authorize_params: { access_type: 'offline', prompt: 'consent' },
    scopes: ['https://www.googleapis.com/auth/drive'],
  })
  t.match(method('notion', 'oauth'), { client_auth: 'basic', token_url: 'https://api.notion.com/v1/oauth/token' })
  t.match(method('airtable', 'oauth'), { pkce: true, authorize_url: 'https://airtable.com/oauth2/v1/authorize' })
  t.match(method('discord', 'bot'), { key: 'Authorization', value: 'Bot {{ connection.credentials.bot_token }}' })
  t.match(method('zendesk', 'token'), { type: 'basic', username: '{{ connection.config.email }}/token' })
  t.match(method('xero', 'oauth'), { token_url: 'https://identity.xero.com/connect/token' })
  t.match(c.xero!.headers, { 'xero-tenant-id': '{{ connection.config.tenant_id }}' })
  t.equal(c['cin7-core']!.base_url, 'https://inventory.dearsystems.com/ExternalApi/v2')
})
