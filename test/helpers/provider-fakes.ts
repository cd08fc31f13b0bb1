/**
 * Provider-shaped fakes for the real-URL catalog tests (provider-hosts.ts serves them on
 * <loopback>:443 under the providers' own host names). Each fake records exactly what it
 * received and answers the way its provider documents:
 * - the authorize endpoint records the query and sends the browser back to redirect_uri with
 *   code and state, plus what that provider adds (Shopify's shop/hmac/timestamp, QuickBooks'
 *   realmId, Xero's scope/session_state);
 * - the token endpoint refuses what the provider would refuse (an unknown or reused code, a
 *   different redirect_uri, the client credentials in the wrong place, the wrong body format)
 *   and otherwise answers in the provider's shape;
 * - every other path is the provider's API (post_connect look-ups included): it answers 401
 *   unless the issued access token arrives in the provider's header with its prefix.
 * The documented shapes are cited next to each entry of PROVIDER_SHAPES.
 */
import { randomBytes } from 'node:crypto'
import { CALLBACK_URL, clientCredentials, startProviderHarness, type ProviderHarness } from './provider-hosts.js'
import type { TeardownHost } from './redis.js'

export interface FakeRequest {
  method: string
  host: string
  /** https://<host><path and query> */
  url: URL
  headers: Record<string, string>
  body: string
}

export interface FakeAnswer {
  status?: number
  /** A string is sent as is; anything else as JSON. */
  body?: unknown
  contentType?: string
  headers?: Record<string, string>
}

export type ClientAuth = 'basic' | 'body' | 'either'
export type BodyFormat = 'form' | 'json'

export interface ProviderShape {
  slug: string
  /** Every host name the fake serves (all get a SAN and a DNS entry). */
  hosts: string[]
  /** https://host/path of the authorize endpoint */
  authorize: string
  /** https://host/path of the token endpoint */
  token: string
  /** Where the provider accepts the client id and secret, and which bodies. */
  clientAuth: ClientAuth
  formats: BodyFormat[]
  /** Extra parameters on the redirect back, next to code and state. */
  redirectExtra?: (authorize: URLSearchParams) => Record<string, string>
  /** The token answer, given fresh token values. */
  tokenBody: (fresh: (kind: string) => string) => Record<string, unknown>
  /** The access tokens in a token answer that the API accepts. */
  accessTokens: (body: Record<string, unknown>) => string[]
  /** The token a request presents, read the way the provider reads it. */
  presented: (req: FakeRequest) => string | undefined
  /** The API (and post_connect) answers for a request with a valid token. */
  api: (req: FakeRequest) => FakeAnswer | undefined
  /** The provider's answer to a missing or wrong token. */
  unauthorized?: FakeAnswer
  /**
   * Credentials the API accepts without a token exchange (personal tokens, API keys), in the
   * form `presented` reads them.
   */
  staticTokens?: string[]
  /**
   * The token endpoint also serves the client credentials grant (app-only access), answered
   * with tokenBody; the code checks do not apply to it.
   */
  clientCredentialsGrant?: boolean
}

export interface ProviderFake {
  slug: string
  hosts: string[]
  shape: ProviderShape
  /** Queries the authorize endpoint received. */
  authorizeRequests: URLSearchParams[]
  tokenRequests: FakeRequest[]
  /** Token requests refused, with the reason (none in a passing flow). */
  refused: Array<{ request: FakeRequest, reason: string }>
  /** Every other request (API calls, post_connect look-ups). */
  apiRequests: FakeRequest[]
  codes: string[]
  /** The token answers sent. */
  tokenAnswers: Array<Record<string, unknown>>
  handle (req: FakeRequest): FakeAnswer
}

export const bearerToken = (req: FakeRequest) => /^Bearer (.+)$/i.exec(req.headers.authorization ?? '')?.[1]

export function providerFake (shape: ProviderShape): ProviderFake {
  const authorize = new URL(shape.authorize)
  const token = new URL(shape.token)
  const { id: clientId, secret: clientSecret } = clientCredentials(shape.slug)
  const validTokens = new Set<string>(shape.staticTokens ?? [])
  const usedCodes = new Set<string>()
  const fresh = (kind: string) => `${kind}-${randomBytes(12).toString('hex')}`
  const is = (req: FakeRequest, url: URL) => req.host === url.hostname && req.url.pathname === url.pathname

  const fake: ProviderFake = {
    slug: shape.slug,
    hosts: shape.hosts,
    shape,
    authorizeRequests: [],
    tokenRequests: [],
    refused: [],
    apiRequests: [],
    codes: [],
    tokenAnswers: [],
    handle (req) {
      if (is(req, authorize) && req.method === 'GET') {
        const query = req.url.searchParams
        fake.authorizeRequests.push(query)
        if (query.get('client_id') !== clientId) return { status: 400, body: 'unknown client_id', contentType: 'text/plain' }
        if (query.get('redirect_uri') !== CALLBACK_URL) return { status: 400, body: 'redirect_uri not registered', contentType: 'text/plain' }
        const code = fresh('code')
        fake.codes.push(code)
        const back = new URL(CALLBACK_URL)
        back.searchParams.set('code', code)
        if (query.has('state')) back.searchParams.set('state', query.get('state')!)
        for (const [k, v] of Object.entries(shape.redirectExtra?.(query) ?? {})) back.searchParams.set(k, v)
        return { status: 302, headers: { location: back.toString() }, body: '' }
      }
      if (is(req, token) && req.method === 'POST') {
        fake.tokenRequests.push(req)
        const reason = refusal(req)
        if (reason !== undefined) {
          fake.refused.push({ request: req, reason })
          return { status: 400, body: { error: reason.startsWith('client') ? 'invalid_client' : 'invalid_grant', error_description: reason } }
        }
        const body = shape.tokenBody(fresh)
        for (const t of shape.accessTokens(body)) validTokens.add(t)
        fake.tokenAnswers.push(body)
        return { body }
      }
      fake.apiRequests.push(req)
      const presented = shape.presented(req)
      if (presented === undefined || !validTokens.has(presented)) return shape.unauthorized ?? { status: 401, body: { error: 'invalid_token' } }
      return shape.api(req) ?? { status: 404, body: { error: 'not_found' } }
    },
  }

  /** Why the provider would refuse this token request, or undefined. */
  function refusal (req: FakeRequest): string | undefined {
    const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim()
    let params: Record<string, string>
    if (type === 'application/json') {
      if (!shape.formats.includes('json')) return 'request body: JSON not accepted'
      try {
        params = JSON.parse(req.body) as Record<string, string>
      } catch {
        return 'request body: not JSON'
      }
    } else if (type === 'application/x-www-form-urlencoded') {
      if (!shape.formats.includes('form')) return 'request body: form not accepted'
      params = Object.fromEntries(new URLSearchParams(req.body))
    } else {
      return `request body: ${type} not accepted`
    }
    const basic = /^Basic (.+)$/i.exec(req.headers.authorization ?? '')?.[1]
    const inBody = params.client_id !== undefined || params.client_secret !== undefined
    if (basic !== undefined) {
      if (shape.clientAuth === 'body') return 'client authentication: Basic not accepted'
      if (Buffer.from(basic, 'base64').toString('utf8') !== `${clientId}:${clientSecret}`) return 'client authentication: wrong Basic credentials'
      if (inBody) return 'client authentication: credentials both in Basic and in the body'
    } else {
      if (shape.clientAuth === 'basic') return 'client authentication: Basic required'
      if (params.client_id !== clientId || params.client_secret !== clientSecret) return 'client authentication: wrong client_id/client_secret'
    }
    if (params.grant_type === 'client_credentials' && shape.clientCredentialsGrant === true) return undefined
    if (params.grant_type !== 'authorization_code') return 'grant: grant_type must be authorization_code'
    if (!fake.codes.includes(params.code ?? '') || usedCodes.has(params.code!)) return 'grant: unknown or used code'
    usedCodes.add(params.code!)
    if (params.redirect_uri !== CALLBACK_URL) return 'grant: redirect_uri differs from the authorize request'
    return undefined
  }
  return fake
}

// ---------------------------------------------------------------------------------------------
// The providers. Inputs the tests type (shop, login host) and what the providers tell back
// (realm, cloud id, tenant id, instance) are fixed here.

export const SHOP = 'acme-widgets'
export const SHOPIFY_HOST = `${SHOP}.myshopify.com`
export const SALESFORCE_LOGIN_HOST = 'test.salesforce.com'
export const SALESFORCE_INSTANCE = 'acme--uat.sandbox.my.salesforce.com'
export const QUICKBOOKS_REALM = '9341453050298464'
export const JIRA_CLOUD_ID = '1324a887-45db-1bf4-1e99-ef0ff456d421'
export const XERO_TENANT_ID = '70784a63-d24b-46a9-a4db-0e70a274b056'

const json = (body: unknown, status = 200): FakeAnswer => ({ status, body })

export const PROVIDER_SHAPES: Record<string, ProviderShape> = {
  // https://shopify.dev/docs/apps/build/authentication-authorization/access-tokens/authorization-code-grant
  // The redirect back carries code, hmac, host, shop, state, timestamp; the token request
  // (client_id, client_secret, code) goes to the shop's own /admin/oauth/access_token and the
  // answer of an offline token is {access_token, scope}. API calls carry the token bare in
  // X-Shopify-Access-Token; a wrong one is 401 {"errors": "[API] Invalid API key or access token ..."}.
  shopify: {
    slug: 'shopify',
    hosts: [SHOPIFY_HOST],
    authorize: `https://${SHOPIFY_HOST}/admin/oauth/authorize`,
    token: `https://${SHOPIFY_HOST}/admin/oauth/access_token`,
    clientAuth: 'body',
    formats: ['form', 'json'],
    redirectExtra: () => ({ hmac: 'f0e1d2c3b4a5', host: Buffer.from(`admin.shopify.com/store/${SHOP}`).toString('base64url'), shop: SHOPIFY_HOST, timestamp: '1735689600' }),
    tokenBody: (fresh) => ({ access_token: fresh('shpua'), scope: 'read_products,read_orders' }),
    accessTokens: (body) => [body.access_token as string],
    presented: (req) => req.headers['x-shopify-access-token'],
    unauthorized: json({ errors: '[API] Invalid API key or access token (unrecognized login or wrong password)' }, 401),
    api: (req) => {
      if (req.url.pathname === '/admin/api/2025-10/shop.json') return json({ shop: { id: 548380009, name: 'Acme Widgets', myshopify_domain: SHOPIFY_HOST } })
      if (req.url.pathname === '/admin/api/2025-10/products.json') return json({ products: [{ id: 632910392, title: 'IPod Nano - 8GB' }] })
      return undefined
    },
  },
  // https://developers.notion.com/docs/authorization: authorize with owner=user, no scopes;
  // the token request is JSON {grant_type, code, redirect_uri} with HTTP Basic client auth; the
  // answer has access_token, token_type "bearer", bot_id, workspace_*, owner, and a refresh token.
  notion: {
    slug: 'notion',
    hosts: ['api.notion.com'],
    authorize: 'https://api.notion.com/v1/oauth/authorize',
    token: 'https://api.notion.com/v1/oauth/token',
    clientAuth: 'basic',
    formats: ['json'],
    tokenBody: (fresh) => ({
      access_token: fresh('ntn'),
      refresh_token: fresh('nrt'),
      token_type: 'bearer',
      bot_id: 'b3414d659-1224-5ty7-6ffr-cc9d8773bbd',
      workspace_name: 'Acme HQ',
      workspace_icon: 'https://example.test/icon.png',
      workspace_id: 'j565j4d7x3-2882-61bs-564a-jj9d9ui-c36hxfr7x',
      owner: { type: 'user', user: { object: 'user', id: '4b7e-user' } },
      duplicated_template_id: null,
      request_id: 'f4f0-req',
    }),
    accessTokens: (body) => [body.access_token as string],
    presented: bearerToken,
    unauthorized: json({ object: 'error', status: 401, code: 'unauthorized', message: 'API token is invalid.' }, 401),
    api: (req) => {
      if (req.headers['notion-version'] !== '2022-06-28') return json({ object: 'error', status: 400, code: 'missing_version', message: 'Notion-Version header failed validation' }, 400)
      if (req.url.pathname === '/v1/users/me') return json({ object: 'user', id: 'b3414d659-1224-5ty7-6ffr-cc9d8773bbd', type: 'bot', bot: {} })
      if (req.url.pathname === '/v1/search') return json({ object: 'list', results: [], has_more: false })
      return undefined
    },
  },
  // https://docs.slack.dev/authentication/installing-with-oauth and
  // https://docs.slack.dev/reference/methods/oauth.v2.access: the bot token at the top, the
  // user token (user_scope) under authed_user; Web API errors are 200 {"ok": false}.
  slack: {
    slug: 'slack',
    hosts: ['slack.com'],
    authorize: 'https://slack.com/oauth/v2/authorize',
    token: 'https://slack.com/api/oauth.v2.access',
    clientAuth: 'either',
    formats: ['form'],
    tokenBody: (fresh) => ({
      ok: true,
      access_token: `xoxb-${fresh('bot')}`,
      token_type: 'bot',
      scope: 'chat:write,channels:read',
      bot_user_id: 'U0KRQLJ9H',
      app_id: 'A0KRD7HC3',
      team: { name: 'Slack Softball Team', id: 'T9TK3CUKW' },
      enterprise: null,
      is_enterprise_install: false,
      authed_user: { id: 'U1234', scope: 'chat:write,channels:read', access_token: `xoxp-${fresh('user')}`, token_type: 'user' },
    }),
    accessTokens: (body) => [body.access_token as string, (body.authed_user as { access_token: string }).access_token],
    presented: bearerToken,
    unauthorized: json({ ok: false, error: 'invalid_auth' }),
    api: (req) => {
      if (req.url.pathname === '/api/auth.test') return json({ ok: true, url: 'https://softball.slack.com/', team: 'Slack Softball Team', user: 'grace', team_id: 'T9TK3CUKW', user_id: 'U1234' })
      if (req.url.pathname === '/api/conversations.list') return json({ ok: true, channels: [{ id: 'C012AB3CD', name: 'general' }] })
      return undefined
    },
  },
  // https://help.salesforce.com/s/articleView?id=sf.remoteaccess_oauth_web_server_flow.htm&type=5
  // Authorize and token at the org's login host (test.salesforce.com for a sandbox), PKCE
  // supported; the answer names the org's instance_url, where the REST API lives.
  salesforce: {
    slug: 'salesforce',
    hosts: [SALESFORCE_LOGIN_HOST, SALESFORCE_INSTANCE],
    authorize: `https://${SALESFORCE_LOGIN_HOST}/services/oauth2/authorize`,
    token: `https://${SALESFORCE_LOGIN_HOST}/services/oauth2/token`,
    clientAuth: 'body',
    formats: ['form'],
    tokenBody: (fresh) => ({
      access_token: `00DB0000000TfcR!${fresh('sf')}`,
      refresh_token: fresh('5Aep'),
      signature: 'SSSbLO/gBhmmyNUvN18ODBDFYHzakxOMgqYtu+hDPsc=',
      scope: 'refresh_token api',
      instance_url: `https://${SALESFORCE_INSTANCE}`,
      id: `https://${SALESFORCE_LOGIN_HOST}/id/00DB0000000TfcRMAS/005B0000005Bk90IAC`,
      token_type: 'Bearer',
      issued_at: '1735689600000',
    }),
    accessTokens: (body) => [body.access_token as string],
    presented: bearerToken,
    unauthorized: json([{ message: 'Session expired or invalid', errorCode: 'INVALID_SESSION_ID' }], 401),
    api: (req) => {
      if (req.host !== SALESFORCE_INSTANCE) return undefined
      if (req.url.pathname === '/services/data/v62.0/limits') return json({ DailyApiRequests: { Max: 15000, Remaining: 14998 } })
      if (req.url.pathname === '/services/data/v62.0/query') return json({ totalSize: 1, done: true, records: [{ attributes: { type: 'Account' }, Name: 'Acme' }] })
      return undefined
    },
  },
  // https://developer.intuit.com/app/developer/qbo/docs/develop/authentication-and-authorization/oauth-2.0
  // The redirect carries code, state and realmId; the token request is a form with HTTP Basic
  // client auth; the answer has expires_in 3600 and x_refresh_token_expires_in. The API answers
  // XML unless asked for JSON.
  quickbooks: {
    slug: 'quickbooks',
    hosts: ['appcenter.intuit.com', 'oauth.platform.intuit.com', 'quickbooks.api.intuit.com'],
    authorize: 'https://appcenter.intuit.com/connect/oauth2',
    token: 'https://oauth.platform.intuit.com/oauth2/v1/tokens/bearer',
    clientAuth: 'basic',
    formats: ['form'],
    redirectExtra: () => ({ realmId: QUICKBOOKS_REALM }),
    tokenBody: (fresh) => ({ token_type: 'bearer', expires_in: 3600, refresh_token: fresh('AB11'), x_refresh_token_expires_in: 8726400, access_token: fresh('eyJlbmMi') }),
    accessTokens: (body) => [body.access_token as string],
    presented: bearerToken,
    api: (req) => {
      if (req.headers.accept !== 'application/json') return { status: 200, body: '<IntuitResponse/>', contentType: 'application/xml' }
      const base = `/v3/company/${QUICKBOOKS_REALM}`
      if (req.url.pathname === `${base}/companyinfo/${QUICKBOOKS_REALM}`) return json({ CompanyInfo: { CompanyName: 'Acme Books', Id: '1' } })
      if (req.url.pathname === `${base}/query`) return json({ QueryResponse: { Customer: [{ Id: '1', DisplayName: 'Amy' }] } })
      return undefined
    },
  },
  // https://developer.atlassian.com/cloud/jira/platform/oauth-2-3lo-apps/: authorize at
  // auth.atlassian.com with audience=api.atlassian.com and prompt=consent; the code exchange is
  // JSON with the client id and secret in the body; the sites come from accessible-resources,
  // and calls go to api.atlassian.com/ex/jira/<cloud id>.
  jira: {
    slug: 'jira',
    hosts: ['auth.atlassian.com', 'api.atlassian.com'],
    authorize: 'https://auth.atlassian.com/authorize',
    token: 'https://auth.atlassian.com/oauth/token',
    clientAuth: 'body',
    formats: ['json'],
    tokenBody: (fresh) => ({ access_token: fresh('eyJraWQi'), refresh_token: fresh('eyJyZWZy'), expires_in: 3600, scope: 'read:jira-work write:jira-work read:jira-user offline_access', token_type: 'Bearer' }),
    accessTokens: (body) => [body.access_token as string],
    presented: bearerToken,
    api: (req) => {
      if (req.host !== 'api.atlassian.com') return undefined
      if (req.url.pathname === '/oauth/token/accessible-resources') {
        return json([
          { id: JIRA_CLOUD_ID, url: 'https://acme.atlassian.net', name: 'acme', scopes: ['read:jira-work', 'write:jira-work'], avatarUrl: 'https://site-admin-avatar-cdn.prod.public.atl-paas.net/avatars/240/flag.png' },
          { id: '00000000-0000-0000-0000-000000000002', url: 'https://other.atlassian.net', name: 'other', scopes: ['read:jira-work'], avatarUrl: '' },
        ])
      }
      const base = `/ex/jira/${JIRA_CLOUD_ID}/rest/api/3`
      if (req.url.pathname === `${base}/myself`) return json({ accountId: '5b10a2844c20165700ede21g', displayName: 'Mia Krystof' })
      if (req.url.pathname === `${base}/issue/ACME-1`) return json({ id: '10002', key: 'ACME-1', fields: { summary: 'First issue' } })
      return undefined
    },
  },
  // https://developer.xero.com/documentation/guides/oauth2/auth-flow: authorize at
  // login.xero.com, the code exchange at identity.xero.com as a form with HTTP Basic client
  // auth (and the PKCE verifier, https://developer.xero.com/documentation/guides/oauth2/pkce-flow),
  // then GET api.xero.com/connections for the tenants; every Accounting call names one in
  // xero-tenant-id.
  xero: {
    slug: 'xero',
    hosts: ['login.xero.com', 'identity.xero.com', 'api.xero.com'],
    authorize: 'https://login.xero.com/identity/connect/authorize',
    token: 'https://identity.xero.com/connect/token',
    clientAuth: 'basic',
    formats: ['form'],
    redirectExtra: (q) => ({ scope: q.get('scope') ?? '', session_state: 'xDbL8UQtXf9zb_xbR4Ai5iWz8FZB5.d3f5' }),
    tokenBody: (fresh) => ({ id_token: 'eyJhbGciOiJSUzI1NiJ9.e30.sig', access_token: fresh('eyJhbGci'), expires_in: 1800, token_type: 'Bearer', refresh_token: fresh('xrt'), scope: 'offline_access accounting.settings accounting.contacts accounting.invoices accounting.payments accounting.banktransactions accounting.manualjournals' }),
    accessTokens: (body) => [body.access_token as string],
    presented: bearerToken,
    api: (req) => {
      if (req.host !== 'api.xero.com') return undefined
      if (req.url.pathname === '/connections') {
        return json([{ id: 'e1eede29-f875-4a5d-8470-17f6a29a88b1', authEventId: 'd99ecdfe-391d-43d2-b834-17636ba90e8d', tenantId: XERO_TENANT_ID, tenantType: 'ORGANISATION', tenantName: 'Maple Florists', createdDateUtc: '2019-07-09T23:40:30.1833130', updatedDateUtc: '2020-05-15T01:35:13.8491980' }])
      }
      if (req.headers['xero-tenant-id'] !== XERO_TENANT_ID) return json({ Title: 'Forbidden', Status: 403, Detail: 'AuthenticationUnsuccessful' }, 403)
      if (req.url.pathname === '/api.xro/2.0/Organisation') return json({ Organisations: [{ Name: 'Maple Florists' }] })
      if (req.url.pathname === '/api.xro/2.0/Invoices') return json({ Invoices: [{ InvoiceNumber: 'INV-0001' }] })
      return undefined
    },
  },
  // https://developers.hubspot.com/docs/api-reference/latest/authentication/manage-oauth-tokens
  // The date-versioned token endpoint: a form with the client id and secret in the body; the
  // answer is {token_type, refresh_token, hub_id, scopes, access_token, expires_in}.
  hubspot: {
    slug: 'hubspot',
    hosts: ['app.hubspot.com', 'api.hubapi.com'],
    authorize: 'https://app.hubspot.com/oauth/authorize',
    token: 'https://api.hubapi.com/oauth/2026-03/token',
    clientAuth: 'body',
    formats: ['form'],
    tokenBody: (fresh) => ({ token_type: 'bearer', refresh_token: fresh('na1'), hub_id: 62515, scopes: ['oauth', 'crm.objects.contacts.read', 'crm.objects.contacts.write'], access_token: fresh('CKDZ'), expires_in: 1800 }),
    accessTokens: (body) => [body.access_token as string],
    presented: bearerToken,
    unauthorized: json({ status: 'error', message: 'Authentication credentials not found.', category: 'INVALID_AUTHENTICATION' }, 401),
    api: (req) => {
      if (req.host !== 'api.hubapi.com') return undefined
      if (req.url.pathname === '/crm/v3/objects/contacts') return json({ results: [{ id: '512', properties: { email: 'bh@hubspot.com' } }] })
      return undefined
    },
  },
}

export function fakeFor (slug: string): ProviderFake {
  const shape = PROVIDER_SHAPES[slug]
  if (shape === undefined) throw new Error(`no provider shape for ${slug}`)
  return providerFake(shape)
}

// ---------------------------------------------------------------------------------------------
// One test's setup: the fake of a catalog slug (plus any others), served on loopback, and a
// gateway process that uses the catalog entry by slug with its client id and secret sealed.

export async function catalogProvider (t: TeardownHost, slug: string, options: { extraYaml?: string, extraFakes?: ProviderFake[] } = {}): Promise<{ h: ProviderHarness, fake: ProviderFake }> {
  const fake = fakeFor(slug)
  const h = await startProviderHarness(t, { fakes: [fake, ...(options.extraFakes ?? [])], slugs: [slug], ...(options.extraYaml === undefined ? {} : { extraYaml: options.extraYaml }) })
  return { h, fake }
}

/** The parameters of a token request, in the order sent, from a form or a JSON body. */
export function tokenParams (req: FakeRequest): Array<[string, string]> {
  if ((req.headers['content-type'] ?? '').startsWith('application/json')) return Object.entries(JSON.parse(req.body) as Record<string, string>)
  return [...new URLSearchParams(req.body)]
}

/** `Basic base64(id:secret)` of a slug's client credentials. */
export function basicOf (slug: string): string {
  const { id, secret } = clientCredentials(slug)
  return `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`
}
