/**
 * Provider-shaped fakes for the catalog proofs of part b (test/integration/catalog-proofs/b-*),
 * built with providerFake: monday, figma, freshdesk, servicenow, zoho-crm, docusign, netsuite,
 * anthropic, attio, calendly, and the older entries http, linear, airtable, dropbox, box,
 * clickup, discord, typeform, zendesk, cin7-core, cin7-omni. Each cites the documentation its
 * endpoints, token answer and API shape come from. The API part of each fake answers only the
 * paths the proofs call (the connector test and one proxied call) and 404s the rest; every API
 * request must present a token the fake issued, or one of its `staticTokens`.
 *
 * Below the shapes: the two kinds of proof, as data (OAuthProof, KeyProof), and the code that
 * runs one, so each proof file is a table and a loop.
 */
import { createHash, createHmac } from 'node:crypto'
import type { Test } from 'tap'
import { assertNoSecrets } from './gateway.js'
import { bearerToken, providerFake, tokenParams, type FakeAnswer, type FakeRequest, type ProviderFake, type ProviderShape } from './provider-fakes.js'
import { APP_KEY, CALLBACK_URL, clientCredentials, connectThroughProvider, proxied, type ProviderHarness } from './provider-hosts.js'

const json = (body: unknown, status = 200): FakeAnswer => ({ status, body })
const basicPair = (req: FakeRequest) => {
  const b64 = /^Basic (.+)$/i.exec(req.headers.authorization ?? '')?.[1]
  return b64 === undefined ? undefined : Buffer.from(b64, 'base64').toString('utf8')
}
/** An API without OAuth: its fake serves no authorize or token endpoint. */
export const noOAuth = (host: string) => ({ authorize: `https://${host}/-/no-oauth-authorize`, token: `https://${host}/-/no-oauth-token` })

// ---------------------------------------------------------------------------------------------
// What the proofs type and what the providers tell back

export const SERVICENOW_INSTANCE = 'dev12345'
export const SERVICENOW_HOST = `${SERVICENOW_INSTANCE}.service-now.com`
export const NETSUITE_ACCOUNT = '1234567_SB1'
export const NETSUITE_APP_HOST = '1234567-sb1.app.netsuite.com'
export const NETSUITE_API_HOST = '1234567-sb1.suitetalk.api.netsuite.com'
export const DOCUSIGN_ACCOUNT_ID = 'f2d4c6a8-1b3d-4e5f-8a9b-0c1d2e3f4a5b'
export const DOCUSIGN_BASE = 'https://demo.docusign.net'
export const ZENDESK_SUBDOMAIN = 'acme'
export const FRESHDESK_SUBDOMAIN = 'acme'
export const HTTP_HOST = 'api.internal-tools.example'

/** The personal tokens, API keys and passwords the key proofs use (and the fakes accept). */
export const STATIC = {
  monday: 'eyJhbGciOiJIUzI1NiJ9.monday-personal-4f1a',
  figma: 'figd_personal-token-8b2c',
  attio: 'attio-api-key-1c9d7e',
  calendly: 'eyJraWQiOiIxY2UxZTEzNjE3ZGNm.calendly-pat-3e4f',
  servicenow: { username: 'svc.integration', password: 'sn-password-0a7b' },
  netsuite: { consumer_key: 'ns-consumer-key-6f2a', consumer_secret: 'ns-consumer-secret-9c1e', token_id: 'ns-token-id-3b8d', token_secret: 'ns-token-secret-5e7f' },
  zendesk: { email: 'agent@acme.example', api_token: 'zd-api-token-2d6c' },
  linear: 'lin_api_personal0b3e',
  clickup: 'pk_4711_CLICKUPPERSONAL',
  discord: 'MTA4-discord-bot-token-7c2e',
  airtable: 'patAirtable.personal4d9f',
  typeform: 'tfp_typeform-personal-1a8b',
  dropbox: 'sl.dropbox-long-lived-5c3a',
  box: 'box-developer-token-9e1f',
  freshdesk: 'freshdesk-api-key-8d2b',
  anthropic: 'sk-ant-api03-anthropic-key-6a4c',
  http: 'http-bearer-token-2f7e',
  cin7core: { account_id: '5b0e4c1a-2d3f-4a5b-8c6d-7e8f9a0b1c2d', application_key: 'cin7-core-app-key-3c9a' },
  cin7omni: { username: 'AcmeWidgetsNZ', api_key: 'cin7-omni-api-key-7e5d' },
} as const

// ---------------------------------------------------------------------------------------------
// NetSuite token-based authentication: the fake checks the RFC 5849 HMAC-SHA256 signature.

const rfc3986 = (s: string) => encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)

/** The token id of a correctly signed OAuth 1.0a request with NetSuite's realm, else undefined. */
function netsuiteTbaToken (req: FakeRequest): string | undefined {
  const header = /^OAuth (.+)$/.exec(req.headers.authorization ?? '')?.[1]
  if (header === undefined) return undefined
  const fields = new Map([...header.matchAll(/([a-z_]+)="([^"]*)"/g)].map((m) => [m[1]!, decodeURIComponent(m[2]!)]))
  const { consumer_key: ck, consumer_secret: cs, token_id: tk, token_secret: ts } = STATIC.netsuite
  if (fields.get('realm') !== NETSUITE_ACCOUNT || fields.get('oauth_signature_method') !== 'HMAC-SHA256') return undefined
  if (fields.get('oauth_consumer_key') !== ck || fields.get('oauth_token') !== tk) return undefined
  const params = [...req.url.searchParams, ...[...fields].filter(([k]) => k.startsWith('oauth_') && k !== 'oauth_signature')]
    .map(([k, v]) => [rfc3986(k), rfc3986(v)] as const)
    .sort(([a, x], [b, y]) => a < b ? -1 : a > b ? 1 : x < y ? -1 : x > y ? 1 : 0)
  const base = [req.method, rfc3986(`https://${req.host}${req.url.pathname}`), rfc3986(params.map(([k, v]) => `${k}=${v}`).join('&'))].join('&')
  const expected = createHmac('sha256', `${rfc3986(cs)}&${rfc3986(ts)}`).update(base).digest('base64')
  return fields.get('oauth_signature') === expected ? tk : undefined
}

// ---------------------------------------------------------------------------------------------
// The providers

export const B_SHAPES: Record<string, ProviderShape> = {
  // https://developer.monday.com/apps/docs/oauth: authorize at auth.monday.com, the code
  // exchange a form with client_id and client_secret; the answer {access_token, token_type,
  // scope}, no expiry and no refresh token. Calls are GraphQL POSTs to api.monday.com/v2 with the
  // token bare in Authorization (https://developer.monday.com/api-reference/docs/authentication).
  monday: {
    slug: 'monday',
    hosts: ['auth.monday.com', 'api.monday.com'],
    authorize: 'https://auth.monday.com/oauth2/authorize',
    token: 'https://auth.monday.com/oauth2/token',
    clientAuth: 'body',
    formats: ['form'],
    tokenBody: (fresh) => ({ access_token: fresh('eyJhbGciOiJIUzI1NiJ9'), token_type: 'Bearer', scope: 'me:read boards:read' }),
    accessTokens: (body) => [body.access_token as string],
    presented: (req) => req.headers.authorization,
    staticTokens: [STATIC.monday],
    unauthorized: json({ errors: [{ message: 'Not Authenticated', extensions: { code: 'UNAUTHENTICATED' } }] }, 401),
    api: (req) => {
      if (req.host !== 'api.monday.com' || req.url.pathname !== '/v2' || req.method !== 'POST') return undefined
      const query = (JSON.parse(req.body || '{}') as { query?: string }).query ?? ''
      if (query.includes('boards')) return json({ data: { boards: [{ id: '1234567890', name: 'Roadmap' }] }, account_id: 9876543 })
      return json({ data: { me: { id: '11223344', name: 'Ada' } }, account_id: 9876543 })
    },
  },
  // https://developers.figma.com/docs/rest-api/oauth-apps: authorize at www.figma.com/oauth,
  // exchange at api.figma.com/v1/oauth/token with HTTP Basic client auth; the answer has
  // user_id_string, access_token, expires_in and refresh_token. OAuth tokens are Bearer,
  // personal tokens go in X-Figma-Token.
  figma: {
    slug: 'figma',
    hosts: ['www.figma.com', 'api.figma.com'],
    authorize: 'https://www.figma.com/oauth',
    token: 'https://api.figma.com/v1/oauth/token',
    clientAuth: 'basic',
    formats: ['form'],
    tokenBody: (fresh) => ({ user_id_string: '1234567890', access_token: fresh('figu'), token_type: 'bearer', expires_in: 7776000, refresh_token: fresh('figur') }),
    accessTokens: (body) => [body.access_token as string],
    presented: (req) => req.headers['x-figma-token'] ?? bearerToken(req),
    staticTokens: [STATIC.figma],
    unauthorized: json({ status: 403, err: 'Invalid token' }, 403),
    api: (req) => {
      if (req.host !== 'api.figma.com') return undefined
      if (req.url.pathname === '/v1/me') return json({ id: '1234567890', handle: 'Ada', email: 'ada@acme.example' })
      if (req.url.pathname === '/v1/files/FiLeKeY123') return json({ name: 'Design system', lastModified: '2026-01-01T00:00:00Z', document: { id: '0:0' } })
      return undefined
    },
  },
  // https://docs.servicenow.com (OAuth application registry): /oauth_auth.do and
  // /oauth_token.do on the instance, a form with the client id and secret in the body; the
  // answer {access_token, refresh_token, scope, token_type, expires_in}. The Table API is under
  // /api/now/table; basic auth with a user and password works too.
  servicenow: {
    slug: 'servicenow',
    hosts: [SERVICENOW_HOST],
    authorize: `https://${SERVICENOW_HOST}/oauth_auth.do`,
    token: `https://${SERVICENOW_HOST}/oauth_token.do`,
    clientAuth: 'body',
    formats: ['form'],
    tokenBody: (fresh) => ({ access_token: fresh('sn'), refresh_token: fresh('snr'), scope: 'useraccount', token_type: 'Bearer', expires_in: 1799 }),
    accessTokens: (body) => [body.access_token as string],
    presented: (req) => bearerToken(req) ?? basicPair(req),
    staticTokens: [`${STATIC.servicenow.username}:${STATIC.servicenow.password}`],
    unauthorized: json({ error: { message: 'User Not Authenticated', detail: 'Required to provide Auth information' }, status: 'failure' }, 401),
    api: (req) => {
      if (req.url.pathname === '/api/now/table/sys_user') return json({ result: [{ sys_id: '6816f79cc0a8016401c5a33be04be441' }] })
      if (req.url.pathname === '/api/now/table/incident') return json({ result: [{ sys_id: '9d385017c611228701d22104cc95c371', number: 'INC0000001', short_description: 'Email down' }] })
      return undefined
    },
  },
  // https://www.zoho.com/crm/developer/docs/api/v8/oauth-overview.html and multi-dc.html:
  // authorize at the data centre's accounts server with access_type=offline; the redirect adds
  // location and accounts-server; the code exchange is a form with the client id and secret; the
  // answer carries api_domain. Calls carry `Authorization: Zoho-oauthtoken <token>`.
  'zoho-crm': {
    slug: 'zoho-crm',
    hosts: ['accounts.zoho.eu', 'www.zohoapis.eu'],
    authorize: 'https://accounts.zoho.eu/oauth/v2/auth',
    token: 'https://accounts.zoho.eu/oauth/v2/token',
    clientAuth: 'body',
    formats: ['form'],
    redirectExtra: () => ({ location: 'eu', 'accounts-server': 'https://accounts.zoho.eu' }),
    tokenBody: (fresh) => ({ access_token: fresh('1000.a'), refresh_token: fresh('1000.r'), scope: 'ZohoCRM.modules.ALL ZohoCRM.users.READ', api_domain: 'https://www.zohoapis.eu', token_type: 'Bearer', expires_in: 3600 }),
    accessTokens: (body) => [body.access_token as string],
    presented: (req) => /^Zoho-oauthtoken (.+)$/.exec(req.headers.authorization ?? '')?.[1],
    unauthorized: json({ code: 'INVALID_TOKEN', details: {}, message: 'invalid oauth token', status: 'error' }, 401),
    api: (req) => {
      if (req.host !== 'www.zohoapis.eu') return undefined
      if (req.url.pathname === '/crm/v8/users' && req.url.searchParams.get('type') === 'CurrentUser') return json({ users: [{ id: '4150868000000225013', email: 'ada@acme.example' }] })
      if (req.url.pathname === '/crm/v8/Contacts') return json({ data: [{ id: '4150868000000624001', Last_Name: 'Lovelace' }], info: { more_records: false } })
      return undefined
    },
  },
  // https://developers.docusign.com/platform/auth/authcode/authcode-get-token/: the demo
  // account server account-d.docusign.com, a form with HTTP Basic client auth; the answer
  // {access_token, token_type, refresh_token, expires_in}; /oauth/userinfo names the accounts and
  // their base_uri (https://developers.docusign.com/platform/auth/reference/user-info/).
  docusign: {
    slug: 'docusign',
    hosts: ['account-d.docusign.com', 'demo.docusign.net'],
    authorize: 'https://account-d.docusign.com/oauth/auth',
    token: 'https://account-d.docusign.com/oauth/token',
    clientAuth: 'basic',
    formats: ['form'],
    tokenBody: (fresh) => ({ access_token: fresh('eyJ0eXAi'), token_type: 'Bearer', refresh_token: fresh('eyJ0eXAr'), expires_in: 28800 }),
    accessTokens: (body) => [body.access_token as string],
    presented: bearerToken,
    unauthorized: json({ errorCode: 'AUTHORIZATION_INVALID_TOKEN', message: 'The access token provided is expired, revoked or malformed.' }, 401),
    api: (req) => {
      if (req.host === 'account-d.docusign.com' && req.url.pathname === '/oauth/userinfo') {
        return json({
          sub: '4799e5e9-1559-4915-9862-cf4713bbcacc', name: 'Ada Lovelace', email: 'ada@acme.example',
          accounts: [{ account_id: DOCUSIGN_ACCOUNT_ID, is_default: true, account_name: 'Acme', base_uri: DOCUSIGN_BASE }],
        })
      }
      if (req.host !== 'demo.docusign.net') return undefined
      const base = `/restapi/v2.1/accounts/${DOCUSIGN_ACCOUNT_ID}`
      if (req.url.pathname === `${base}/folders`) return json({ folders: [{ folderId: 'inbox', name: 'Inbox' }] })
      if (req.url.pathname === `${base}/envelopes`) return json({ envelopes: [{ envelopeId: '93be49ab-0000-0000-0000-f752070d71ec', status: 'sent' }], resultSetSize: '1' })
      return undefined
    },
  },
  // https://docs.oracle.com/en/cloud/saas/netsuite/ns-online-help/section_158074210415.html:
  // authorize on <account>.app.netsuite.com, the code exchange on <account>.suitetalk.api.
  // netsuite.com as a form with HTTP Basic client auth and the PKCE verifier; the answer
  // {access_token, refresh_token, expires_in, token_type}. Token-based authentication is OAuth
  // 1.0a, HMAC-SHA256, realm = the account id (section_4247337262.html).
  netsuite: {
    slug: 'netsuite',
    hosts: [NETSUITE_APP_HOST, NETSUITE_API_HOST],
    authorize: `https://${NETSUITE_APP_HOST}/app/login/oauth2/authorize.nl`,
    token: `https://${NETSUITE_API_HOST}/services/rest/auth/oauth2/v1/token`,
    clientAuth: 'basic',
    formats: ['form'],
    tokenBody: (fresh) => ({ access_token: fresh('eyJraWQiOiJj'), refresh_token: fresh('eyJraWQiOiJy'), expires_in: '3600', token_type: 'bearer' }),
    accessTokens: (body) => [body.access_token as string],
    presented: (req) => bearerToken(req) ?? netsuiteTbaToken(req),
    staticTokens: [STATIC.netsuite.token_id],
    unauthorized: json({ type: 'https://www.rfc-editor.org/rfc/rfc9110.html#section-15.5.2', title: 'Unauthorized', status: 401, 'o:errorDetails': [{ detail: 'Invalid login attempt.', 'o:errorCode': 'INVALID_LOGIN' }] }, 401),
    api: (req) => {
      if (req.host !== NETSUITE_API_HOST) return undefined
      if (req.url.pathname === '/services/rest/record/v1/customer') return json({ links: [], count: 1, hasMore: false, items: [{ links: [], id: '107' }], offset: 0, totalResults: 1 })
      if (req.url.pathname === '/services/rest/record/v1/customer/107') return json({ id: '107', companyName: 'Acme Widgets', email: 'ap@acme.example' })
      return undefined
    },
  },
  // https://docs.attio.com/docs/oauth/authorize and /token: no scope parameter (scopes are set
  // on the app); the code exchange carries client_id, client_secret, grant_type and code; the
  // answer {access_token, token_type: "Bearer"}. GET /v2/self describes the token.
  attio: {
    slug: 'attio',
    hosts: ['app.attio.com', 'api.attio.com'],
    authorize: 'https://app.attio.com/authorize',
    token: 'https://app.attio.com/oauth/token',
    clientAuth: 'body',
    formats: ['form', 'json'],
    tokenBody: (fresh) => ({ access_token: fresh('attio'), token_type: 'Bearer' }),
    accessTokens: (body) => [body.access_token as string],
    presented: bearerToken,
    staticTokens: [STATIC.attio],
    unauthorized: json({ status_code: 401, type: 'auth_error', code: 'unauthorized', message: 'Invalid access token' }, 401),
    api: (req) => {
      if (req.host !== 'api.attio.com') return undefined
      if (req.url.pathname === '/v2/self') return json({ active: true, scope: 'record_permission:read object_configuration:read', client_id: clientCredentials('attio').id, token_type: 'Bearer', workspace_id: '14beef7a-99f7-4534-a87e-70b564330a4c', workspace_name: 'Acme' })
      if (req.url.pathname === '/v2/objects/people/records/query' && req.method === 'POST') return json({ data: [{ id: { record_id: 'bf071e1f-6035-429d-b874-d83ea64ea13b' }, values: {} }] })
      return undefined
    },
  },
  // https://developer.calendly.com (Get Access Token): PKCE (S256), a form with client_id,
  // client_secret, code, redirect_uri and code_verifier; the answer has owner and organization
  // URIs, expires_in 7200 and a refresh token.
  calendly: {
    slug: 'calendly',
    hosts: ['auth.calendly.com', 'api.calendly.com'],
    authorize: 'https://auth.calendly.com/oauth/authorize',
    token: 'https://auth.calendly.com/oauth/token',
    clientAuth: 'body',
    formats: ['form'],
    tokenBody: (fresh) => ({
      token_type: 'Bearer', access_token: fresh('eyJraWQi'), refresh_token: fresh('calr'), scope: 'users:read scheduled_events:read',
      created_at: 1735689600, expires_in: 7200, owner: 'https://api.calendly.com/users/EBHAAFHDCAEQTSEZ', organization: 'https://api.calendly.com/organizations/EBHAAFHDCAEQTSEY',
    }),
    accessTokens: (body) => [body.access_token as string],
    presented: bearerToken,
    staticTokens: [STATIC.calendly],
    unauthorized: json({ title: 'Unauthenticated', message: 'The access token is invalid' }, 401),
    api: (req) => {
      if (req.host !== 'api.calendly.com') return undefined
      if (req.url.pathname === '/users/me') return json({ resource: { uri: 'https://api.calendly.com/users/EBHAAFHDCAEQTSEZ', name: 'Ada', current_organization: 'https://api.calendly.com/organizations/EBHAAFHDCAEQTSEY' } })
      if (req.url.pathname === '/scheduled_events') return json({ collection: [{ uri: 'https://api.calendly.com/scheduled_events/GBGBDCAADAEDCRZ2', status: 'active' }], pagination: { count: 1, next_page: null } })
      return undefined
    },
  },
  // https://developers.freshdesk.com/api/#authentication: the API key as the Basic username,
  // any password ("X"); https://developers.freshdesk.com/api/#tickets.
  freshdesk: {
    slug: 'freshdesk',
    hosts: [`${FRESHDESK_SUBDOMAIN}.freshdesk.com`],
    ...noOAuth(`${FRESHDESK_SUBDOMAIN}.freshdesk.com`),
    clientAuth: 'body',
    formats: ['form'],
    tokenBody: () => ({}),
    accessTokens: () => [],
    presented: basicPair,
    staticTokens: [`${STATIC.freshdesk}:X`],
    unauthorized: json({ code: 'invalid_credentials', message: 'You have to be logged in to perform this action.' }, 401),
    api: (req) => {
      if (req.url.pathname === '/api/v2/agents/me') return json({ id: 43000012345, contact: { email: 'agent@acme.example' } })
      if (req.url.pathname === '/api/v2/tickets') return json([{ id: 1, subject: 'Cannot log in', status: 2, priority: 1 }])
      return undefined
    },
  },
  // https://docs.anthropic.com/en/api/overview: x-api-key and anthropic-version on every
  // request; a missing version is a 400 invalid_request_error.
  anthropic: {
    slug: 'anthropic',
    hosts: ['api.anthropic.com'],
    ...noOAuth('api.anthropic.com'),
    clientAuth: 'body',
    formats: ['form'],
    tokenBody: () => ({}),
    accessTokens: () => [],
    presented: (req) => req.headers['x-api-key'],
    staticTokens: [STATIC.anthropic],
    unauthorized: json({ type: 'error', error: { type: 'authentication_error', message: 'invalid x-api-key' } }, 401),
    api: (req) => {
      if (req.headers['anthropic-version'] !== '2023-06-01') return json({ type: 'error', error: { type: 'invalid_request_error', message: 'anthropic-version: header is required' } }, 400)
      if (req.url.pathname === '/v1/models') return json({ data: [{ type: 'model', id: 'claude-sonnet-4-5', display_name: 'Claude Sonnet 4.5' }], has_more: false })
      return undefined
    },
  },
  // The generic connector: whatever API the connection names; here one that takes a Bearer token.
  http: {
    slug: 'http',
    hosts: [HTTP_HOST],
    ...noOAuth(HTTP_HOST),
    clientAuth: 'body',
    formats: ['form'],
    tokenBody: () => ({}),
    accessTokens: () => [],
    presented: bearerToken,
    staticTokens: [STATIC.http],
    api: (req) => req.url.pathname === '/v1/status' ? json({ ok: true }) : undefined,
  },
  // https://dearinventory.docs.apiary.io/: api-auth-accountid and api-auth-applicationkey on
  // every call to inventory.dearsystems.com/ExternalApi/v2.
  'cin7-core': {
    slug: 'cin7-core',
    hosts: ['inventory.dearsystems.com'],
    ...noOAuth('inventory.dearsystems.com'),
    clientAuth: 'body',
    formats: ['form'],
    tokenBody: () => ({}),
    accessTokens: () => [],
    presented: (req) => `${req.headers['api-auth-accountid'] ?? ''}:${req.headers['api-auth-applicationkey'] ?? ''}`,
    staticTokens: [`${STATIC.cin7core.account_id}:${STATIC.cin7core.application_key}`],
    unauthorized: json([{ ErrorCode: 403, Exception: 'Incorrect credentials!' }], 403),
    api: (req) => req.url.pathname === '/ExternalApi/v2/me' ? json({ Company: 'Acme Widgets', Currency: 'NZD' }) : undefined,
  },
  // https://api.cin7.com/API/Help: HTTP Basic with the API username and connection key.
  'cin7-omni': {
    slug: 'cin7-omni',
    hosts: ['api.cin7.com'],
    ...noOAuth('api.cin7.com'),
    clientAuth: 'body',
    formats: ['form'],
    tokenBody: () => ({}),
    accessTokens: () => [],
    presented: basicPair,
    staticTokens: [`${STATIC.cin7omni.username}:${STATIC.cin7omni.api_key}`],
    unauthorized: { status: 401, body: 'Unauthorized', contentType: 'text/plain' },
    api: (req) => req.url.pathname === '/api/v1/Branches' ? json([{ id: 1, company: 'Acme Widgets NZ' }]) : undefined,
  },
  // https://developers.linear.app/docs/oauth/authentication: authorize at linear.app, the code
  // exchange a form at api.linear.app/oauth/token (client id and secret in the body, PKCE
  // supported); OAuth tokens are Bearer, personal API keys go bare in Authorization.
  linear: {
    slug: 'linear',
    hosts: ['linear.app', 'api.linear.app'],
    authorize: 'https://linear.app/oauth/authorize',
    token: 'https://api.linear.app/oauth/token',
    clientAuth: 'body',
    formats: ['form'],
    tokenBody: (fresh) => ({ access_token: fresh('lin_oauth'), token_type: 'Bearer', expires_in: 86399, scope: 'read write', refresh_token: fresh('lin_refresh') }),
    accessTokens: (body) => [body.access_token as string],
    presented: (req) => bearerToken(req) ?? (req.headers.authorization?.startsWith('lin_api_') === true ? req.headers.authorization : undefined),
    staticTokens: [STATIC.linear],
    unauthorized: json({ errors: [{ message: 'Authentication required, not authenticated', extensions: { code: 'AUTHENTICATION_ERROR' } }] }, 400),
    api: (req) => req.host === 'api.linear.app' && req.url.pathname === '/graphql' && req.method === 'POST' ? json({ data: { viewer: { id: 'b5e0a1f2', name: 'Ada' } } }) : undefined,
  },
  // https://airtable.com/developers/web/api/oauth-reference: PKCE required; confidential
  // clients authenticate with HTTP Basic; the answer has refresh_token and refresh_expires_in.
  airtable: {
    slug: 'airtable',
    hosts: ['airtable.com', 'api.airtable.com'],
    authorize: 'https://airtable.com/oauth2/v1/authorize',
    token: 'https://airtable.com/oauth2/v1/token',
    clientAuth: 'basic',
    formats: ['form'],
    tokenBody: (fresh) => ({ access_token: fresh('oaa'), refresh_token: fresh('oar'), token_type: 'Bearer', scope: 'data.records:read data.records:write schema.bases:read', expires_in: 3600, refresh_expires_in: 5184000 }),
    accessTokens: (body) => [body.access_token as string],
    presented: bearerToken,
    staticTokens: [STATIC.airtable],
    unauthorized: json({ error: { type: 'AUTHENTICATION_REQUIRED', message: 'Authentication required' } }, 401),
    api: (req) => {
      if (req.host !== 'api.airtable.com') return undefined
      if (req.url.pathname === '/v0/meta/whoami') return json({ id: 'usrL2PNC5o3H4lBEi', scopes: ['data.records:read'] })
      if (req.url.pathname === '/v0/appHyrBeUDxyxNqe/tblTasks') return json({ records: [{ id: 'rec560UJdUtocSouk', fields: { Name: 'First' } }] })
      return undefined
    },
  },
  // https://developers.dropbox.com/oauth-guide and /documentation/http/documentation#oauth2-token:
  // token_access_type=offline for a refresh token; the code exchange a form (client id and
  // secret in the body or as HTTP Basic); short-lived sl. tokens.
  dropbox: {
    slug: 'dropbox',
    hosts: ['www.dropbox.com', 'api.dropboxapi.com'],
    authorize: 'https://www.dropbox.com/oauth2/authorize',
    token: 'https://api.dropboxapi.com/oauth2/token',
    clientAuth: 'either',
    formats: ['form'],
    tokenBody: (fresh) => ({ access_token: `sl.${fresh('u')}`, expires_in: 14400, token_type: 'bearer', scope: 'account_info.read files.content.read files.metadata.read', refresh_token: fresh('drr'), account_id: 'dbid:AAH4f99T0taONIb-OurWxbNQ6ywGRopQngc', uid: '12345' }),
    accessTokens: (body) => [body.access_token as string],
    presented: bearerToken,
    staticTokens: [STATIC.dropbox],
    unauthorized: json({ error_summary: 'invalid_access_token/', error: { '.tag': 'invalid_access_token' } }, 401),
    api: (req) => {
      if (req.host !== 'api.dropboxapi.com' || req.method !== 'POST') return undefined
      if (req.url.pathname === '/2/users/get_current_account') return json({ account_id: 'dbid:AAH4f99T0taONIb-OurWxbNQ6ywGRopQngc', email: 'ada@acme.example' })
      if (req.url.pathname === '/2/files/list_folder') return json({ entries: [], cursor: 'ZtkX9_EHj3x7PMkVuFIhwKYXEpwpLwyxp9vMKomUhllil9q7eWiAu', has_more: false })
      return undefined
    },
  },
  // https://developer.box.com/guides/authentication/oauth2/: authorize at account.box.com, the
  // code exchange a form with the client id and secret in the body; no PKCE, no scope parameter.
  box: {
    slug: 'box',
    hosts: ['account.box.com', 'api.box.com'],
    authorize: 'https://account.box.com/api/oauth2/authorize',
    token: 'https://api.box.com/oauth2/token',
    clientAuth: 'body',
    formats: ['form'],
    tokenBody: (fresh) => ({ access_token: fresh('T9cE5'), expires_in: 3600, restricted_to: [], refresh_token: fresh('J7rxT'), token_type: 'bearer' }),
    accessTokens: (body) => [body.access_token as string],
    presented: bearerToken,
    staticTokens: [STATIC.box],
    unauthorized: { status: 401, body: '', headers: { 'www-authenticate': 'Bearer realm="Service", error="invalid_token"' } },
    api: (req) => {
      if (req.host !== 'api.box.com') return undefined
      if (req.url.pathname === '/2.0/users/me') return json({ type: 'user', id: '11446498', login: 'ada@acme.example' })
      if (req.url.pathname === '/2.0/folders/0/items') return json({ total_count: 1, entries: [{ type: 'file', id: '12345', name: 'Contract.pdf' }] })
      return undefined
    },
  },
  // https://developer.clickup.com/docs/authentication: authorize at app.clickup.com/api, the
  // token request with client_id, client_secret and code; the answer {access_token, token_type}.
  // Personal tokens (pk_) go bare in Authorization.
  clickup: {
    slug: 'clickup',
    hosts: ['app.clickup.com', 'api.clickup.com'],
    authorize: 'https://app.clickup.com/api',
    token: 'https://api.clickup.com/api/v2/oauth/token',
    clientAuth: 'body',
    formats: ['form'],
    tokenBody: (fresh) => ({ access_token: fresh('4711_clickup'), token_type: 'Bearer' }),
    accessTokens: (body) => [body.access_token as string],
    presented: (req) => bearerToken(req) ?? req.headers.authorization,
    staticTokens: [STATIC.clickup],
    unauthorized: json({ err: 'Token invalid', ECODE: 'OAUTH_025' }, 401),
    api: (req) => {
      if (req.host !== 'api.clickup.com') return undefined
      if (req.url.pathname === '/api/v2/user') return json({ user: { id: 123, username: 'Ada' } })
      if (req.url.pathname === '/api/v2/team') return json({ teams: [{ id: '1234', name: 'Acme' }] })
      return undefined
    },
  },
  // https://discord.com/developers/docs/topics/oauth2: authorize at discord.com/oauth2/authorize,
  // the code exchange a form at discord.com/api/oauth2/token (client credentials in the body or
  // as HTTP Basic); bot tokens go as `Bot <token>`.
  discord: {
    slug: 'discord',
    hosts: ['discord.com'],
    authorize: 'https://discord.com/oauth2/authorize',
    token: 'https://discord.com/api/oauth2/token',
    clientAuth: 'either',
    formats: ['form'],
    tokenBody: (fresh) => ({ access_token: fresh('dsc'), token_type: 'Bearer', expires_in: 604800, refresh_token: fresh('dscr'), scope: 'identify guilds' }),
    accessTokens: (body) => [body.access_token as string],
    presented: (req) => bearerToken(req) ?? /^Bot (.+)$/.exec(req.headers.authorization ?? '')?.[1],
    staticTokens: [STATIC.discord],
    unauthorized: json({ message: '401: Unauthorized', code: 0 }, 401),
    api: (req) => {
      if (req.url.pathname === '/api/v10/users/@me') return json({ id: '80351110224678912', username: 'ada' })
      if (req.url.pathname === '/api/v10/users/@me/guilds') return json([{ id: '197038439483310086', name: 'Acme' }])
      return undefined
    },
  },
  // https://www.typeform.com/developers/get-started/applications/: authorize and token at
  // api.typeform.com/oauth, the code exchange a form with the client id and secret in the body;
  // `offline` scope for a refresh token.
  typeform: {
    slug: 'typeform',
    hosts: ['api.typeform.com'],
    authorize: 'https://api.typeform.com/oauth/authorize',
    token: 'https://api.typeform.com/oauth/token',
    clientAuth: 'body',
    formats: ['form'],
    tokenBody: (fresh) => ({ access_token: fresh('tfa'), token_type: 'bearer', expires_in: 604800, refresh_token: fresh('tfr') }),
    accessTokens: (body) => [body.access_token as string],
    presented: bearerToken,
    staticTokens: [STATIC.typeform],
    unauthorized: json({ code: 'AUTHENTICATION_FAILED', description: 'Authentication credentials not found on the Request Headers' }, 401),
    api: (req) => {
      if (req.url.pathname === '/me') return json({ alias: 'Ada', email: 'ada@acme.example', language: 'en' })
      if (req.url.pathname === '/forms') return json({ total_items: 1, page_count: 1, items: [{ id: 'u6nXL7', title: 'Feedback' }] })
      return undefined
    },
  },
  // https://developer.zendesk.com/api-reference/ticketing/oauth/grant_type_tokens/: the code
  // exchange at <subdomain>.zendesk.com/oauth/tokens (JSON or form, client id and secret in the
  // body), with expires_in for an expiring token and a refresh token; API tokens are Basic
  // `email/token:api_token`.
  zendesk: {
    slug: 'zendesk',
    hosts: [`${ZENDESK_SUBDOMAIN}.zendesk.com`],
    authorize: `https://${ZENDESK_SUBDOMAIN}.zendesk.com/oauth/authorizations/new`,
    token: `https://${ZENDESK_SUBDOMAIN}.zendesk.com/oauth/tokens`,
    clientAuth: 'body',
    formats: ['form', 'json'],
    tokenBody: (fresh) => ({ access_token: fresh('zda'), token_type: 'bearer', scope: 'read write', refresh_token: fresh('zdr'), expires_in: 1800, refresh_token_expires_in: 2592000 }),
    accessTokens: (body) => [body.access_token as string],
    presented: (req) => bearerToken(req) ?? basicPair(req),
    staticTokens: [`${STATIC.zendesk.email}/token:${STATIC.zendesk.api_token}`],
    unauthorized: json({ error: 'Couldn\'t authenticate you' }, 401),
    api: (req) => {
      if (req.url.pathname === '/api/v2/users/me.json') return json({ user: { id: 35436, email: 'agent@acme.example' } })
      if (req.url.pathname === '/api/v2/tickets.json') return json({ tickets: [{ id: 35436, subject: 'Help, my printer is on fire!' }], count: 1 })
      return undefined
    },
  },
}

export function fakesFor (slugs: readonly string[]): Map<string, ProviderFake> {
  return new Map(slugs.map((slug) => {
    const shape = B_SHAPES[slug]
    if (shape === undefined) throw new Error(`no provider shape for ${slug}`)
    return [slug, providerFake(shape)]
  }))
}

// ---------------------------------------------------------------------------------------------
// OAuth proofs: connect through the provider, then one proxied call

export interface OAuthProof {
  slug: string
  /** The oauth2 method's name in the entry. */
  auth: string
  /** Inputs typed in the form step. */
  values?: Record<string, string>
  /** origin + path of the authorize redirect */
  authorize: string
  /** The scope parameter as sent; undefined: none is sent. */
  scope?: string
  pkce: boolean
  /** authorize_params, after ours */
  authorizeExtra?: Array<[string, string]>
  /** href of the token request */
  token: string
  format: 'form' | 'json'
  clientAuth: 'basic' | 'body'
  /** token_params, after ours */
  tokenExtra?: Array<[string, string]>
  /** href of the post_connect request, made first with the new token */
  postConnect?: string
  /** The stored connection.config after connecting. */
  config: Record<string, string>
  /** href of the connector test, run before storing (none: the entry has no test). */
  test?: string
  call: {
    route: string
    init?: RequestInit
    /** href the upstream received */
    url: string
    /** header -> expected value, given the token answer's access token */
    headers: (accessToken: string) => Record<string, string>
  }
}

export async function proveOAuth (t: Test, h: ProviderHarness, fake: ProviderFake, p: OAuthProof): Promise<void> {
  const connection = `${p.slug}-oauth`
  const client = clientCredentials(p.slug)
  const step = await connectThroughProvider(h, { connector: p.slug, connection, auth: p.auth, ...(p.values === undefined ? {} : { values: p.values }) })

  t.equal(`${step.authorize.origin}${step.authorize.pathname}`, p.authorize, 'authorize endpoint')
  const q = step.authorize.searchParams
  const expectedKeys = ['response_type', 'client_id', 'redirect_uri', ...(p.scope === undefined ? [] : ['scope']), 'state',
    ...(p.pkce ? ['code_challenge', 'code_challenge_method'] : []), ...(p.authorizeExtra ?? []).map(([k]) => k)]
  t.same([...q.keys()], expectedKeys, 'authorize parameters, in order')
  t.equal(q.get('response_type'), 'code')
  t.equal(q.get('client_id'), client.id)
  t.equal(q.get('redirect_uri'), CALLBACK_URL)
  if (p.scope !== undefined) t.equal(q.get('scope'), p.scope, 'scopes joined by the entry\'s separator')
  if (p.pkce) t.equal(q.get('code_challenge_method'), 'S256')
  for (const [k, v] of p.authorizeExtra ?? []) t.equal(q.get(k), v, `authorize ${k}`)

  t.equal(step.result.status, 200, step.result.status === 200 ? 'connected' : `${step.resultText}\n${h.stderr()}`)
  t.same(fake.refused, [], 'the provider refused no token request')
  t.equal(fake.tokenRequests.length, 1, 'one token request')
  const req = fake.tokenRequests[0]!
  t.equal(req.url.href, p.token, 'token endpoint')
  t.equal(req.headers['content-type'], p.format === 'json' ? 'application/json' : 'application/x-www-form-urlencoded')
  t.equal(req.headers.authorization, p.clientAuth === 'basic' ? `Basic ${Buffer.from(`${client.id}:${client.secret}`).toString('base64')}` : undefined, 'client authentication')
  const params = tokenParams(req)
  const verifier = new Map(params).get('code_verifier')
  t.same(params, [
    ['grant_type', 'authorization_code'], ['code', fake.codes[0]!], ['redirect_uri', CALLBACK_URL],
    ...(p.clientAuth === 'body' ? [['client_id', client.id], ['client_secret', client.secret]] : []),
    ...(p.pkce ? [['code_verifier', verifier]] : []),
    ...(p.tokenExtra ?? []),
  ], 'token request parameters, in order')
  if (p.pkce) t.equal(createHash('sha256').update(verifier ?? '').digest('base64url'), q.get('code_challenge'), 'the verifier of the challenge')

  const answer = fake.tokenAnswers[0]!
  const accessToken = answer.access_token as string
  let seen = 0
  if (p.postConnect !== undefined) {
    const lookup = fake.apiRequests[seen++]
    t.equal(lookup?.url.href, p.postConnect, 'post_connect')
  }
  if (p.test !== undefined) t.equal(fake.apiRequests[seen++]?.url.href, p.test, 'the connector test ran before storing')
  t.equal(fake.apiRequests.length, seen, 'no other request before the proxied call')

  const stored = await h.stored(connection)
  t.match(stored, { connector: p.slug, auth: p.auth, status: 'connected' })
  t.same(stored?.config, p.config, 'stored config')
  t.equal(stored?.credentials.access_token, accessToken, 'the access token is stored (sealed)')

  const res = await proxied(h, connection, p.call.route, p.call.init)
  t.equal(res.status, 200, 'proxied call answered 200')
  await res.text()
  const call = fake.apiRequests.at(-1)!
  t.equal(call.url.href, p.call.url, 'the upstream URL: real host and base path')
  for (const [name, value] of Object.entries(p.call.headers(accessToken))) t.equal(call.headers[name.toLowerCase()], value, `${name} header`)
  assertNoSecrets(t, [...h.logs, step.resultText, step.authorize.href], [client.secret, accessToken])
}

// ---------------------------------------------------------------------------------------------
// Key proofs: a YAML connection with the credentials a user would type, and one proxied call

export interface KeyProof {
  slug: string
  auth: string
  config?: Record<string, string>
  credentials: Record<string, string>
  route: string
  init?: RequestInit
  /** href the upstream received */
  url: string
  /** Exact header values the upstream received. */
  headers: Record<string, string>
  /** Header prefixes (a signature changes per request). */
  headerPrefixes?: Record<string, string>
}

export const keyConnectionId = (p: KeyProof) => `${p.slug}-${p.auth}`.replace(/_/g, '-')

/** The `connections:` YAML of the key proofs, each admitting the `app` caller. */
export function keyConnectionsYaml (proofs: readonly KeyProof[]): string {
  const lines = ['connections:']
  for (const p of proofs) {
    lines.push(`  ${keyConnectionId(p)}:`, `    connector: ${p.slug}`, `    auth: ${p.auth}`)
    if (p.config !== undefined) lines.push(`    config: ${JSON.stringify(p.config)}`)
    lines.push(`    credentials: ${JSON.stringify(p.credentials)}`, '    access: { callers: [app] }')
  }
  return lines.join('\n')
}

export async function proveKey (t: Test, h: ProviderHarness, fake: ProviderFake, p: KeyProof): Promise<void> {
  const before = fake.apiRequests.length
  const res = await h.fetch(`/proxy/${keyConnectionId(p)}${p.route}`, { ...p.init, headers: { 'x-latchkey-key': APP_KEY, ...p.init?.headers as Record<string, string> } })
  const text = await res.text()
  t.equal(res.status, 200, res.status === 200 ? 'proxied call answered 200' : text)
  t.equal(fake.apiRequests.length, before + 1, 'one upstream request')
  const call = fake.apiRequests.at(-1)!
  t.equal(call.url.href, p.url, 'the upstream URL: real host and base path')
  for (const [name, value] of Object.entries(p.headers)) t.equal(call.headers[name.toLowerCase()], value, `${name} header`)
  for (const [name, prefix] of Object.entries(p.headerPrefixes ?? {})) t.ok(call.headers[name.toLowerCase()]?.startsWith(prefix), `${name} header starts with ${prefix}`)
  t.notOk(call.headers['x-latchkey-key'], 'the caller key is not forwarded')
  assertNoSecrets(t, [...h.logs, text], Object.values(p.credentials))
}
