/**
 * Provider-shaped fakes for part a of the catalog proofs (test/integration/catalog-proofs/a-*),
 * built with providerFake (provider-fakes.ts) and served by the real-URL harness
 * (provider-hosts.ts). Each shape cites the documentation of what it accepts and answers; every
 * API path answers 401 (in the provider's shape) unless the credential arrives the provider's way.
 *
 * Also here: sharedHostFakes (several catalog slugs behind one provider's OAuth server, as
 * Google's and Microsoft's are), connectWithForm (the connect page for input-based methods),
 * pkceHolds, and verifyOAuth1 (Trello's check of an RFC 5849 HMAC-SHA1 signature).
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto'
import type { Test as Tap } from 'tap'
import { basicOf, bearerToken, tokenParams, type FakeAnswer, type FakeRequest, type ProviderFake, type ProviderShape } from './provider-fakes.js'
import { APP_KEY, CALLBACK_URL, clientCredentials, connectThroughProvider, proxied, type ProviderHarness } from './provider-hosts.js'

const json = (body: unknown, status = 200): FakeAnswer => ({ status, body })

/** The decoded `user:password` of an HTTP Basic header. */
export function basicPair (req: FakeRequest): string | undefined {
  const b64 = /^Basic (.+)$/i.exec(req.headers.authorization ?? '')?.[1]
  return b64 === undefined ? undefined : Buffer.from(b64, 'base64').toString('utf8')
}

/**
 * For API-only providers: latchkey never goes through an OAuth server for them, so the shape's
 * authorize and token URLs are on a reserved name no fake serves (RFC 2606 `.invalid`).
 */
const NO_OAUTH: Pick<ProviderShape, 'authorize' | 'token' | 'clientAuth' | 'formats'> = { authorize: 'https://oauth.invalid/authorize', token: 'https://oauth.invalid/token', clientAuth: 'body', formats: ['form'] }
const noTokens: Pick<ProviderShape, 'tokenBody' | 'accessTokens'> = { tokenBody: () => ({}), accessTokens: () => [] }

// ---------------------------------------------------------------------------------------------
// Inputs the tests type, and credentials the users made at the providers (fixed here).

export const MS_TENANT = 'contoso.onmicrosoft.com'
export const GITHUB_PAT = 'ghp_16C7e42F292c6912E7710c838347Ae178B4a'
export const GITLAB_PAT = 'glpat-Xy3vQ9mKp2LdR8sT4wZa'
export const BITBUCKET_EMAIL = 'dev@acme.test'
export const BITBUCKET_API_TOKEN = 'ATATT3xFfGF0aBcDeFgHiJkLmNoP'
export const BITBUCKET_ACCESS_TOKEN = 'ATCTT3xFfGN0repoAccessToken77'
export const CONFLUENCE_SITE = 'acme'
export const CONFLUENCE_CLOUD_ID = '2a7c5e11-6f0d-4b8e-9c3a-1d2e3f4a5b6c'
export const CONFLUENCE_EMAIL = 'writer@acme.test'
export const CONFLUENCE_API_TOKEN = 'ATATT3xFfGF0confluenceToken42'
export const TRELLO_KEY = '0f1e2d3c4b5a69788796a5b4c3d2e1f0'
export const TRELLO_SECRET = 'trello-secret-5d41402abc4b2a76b9719d911017c592'
export const TRELLO_TOKEN = 'ATTA9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d3e2f1a0b9c8d7e6f5a4b3c2d1e0f9a8b'
export const TRELLO_TOKEN_SECRET = 'trello-token-secret-7d793037a0760186574b0282f2f435e7'
export const TWILIO_SID = 'AC3f1a2b4c5d6e7f8091a2b3c4d5e6f708'
export const TWILIO_AUTH_TOKEN = 'twilio-auth-token-9e107d9d372bb682'
export const TWILIO_KEY_SID = 'SK2c1b0a9f8e7d6c5b4a39281706f5e4d3'
export const TWILIO_KEY_SECRET = 'twilio-key-secret-e4d909c290d0fb1c'
export const ASANA_PAT = '2/1204987654321/1206123456789:5f4dcc3b5aa765d61d8327deb882cf99'
export const INTERCOM_TOKEN = 'dG9rOmZhYzdkYmQwXzM2ZTlfNDIyMF9iNmY5XzEwYmZjMWZjMWFjMzoxOjA='
export const PIPEDRIVE_COMPANY = 'acme'
export const PIPEDRIVE_API_TOKEN = 'pd0a1b2c3d4e5f60718293a4b5c6d7e8f9012345'
export const PIPEDRIVE_OAUTH_DOMAIN = 'acme-sandbox'
export const MAILCHIMP_DC = 'us21'
export const MAILCHIMP_KEY = 'f2ca1bb6c7e907d06dafe4687e579fce-us21'
export const STRIPE_KEY = 'sk_test_4eC39HqLyjWDarjtT1zdp7dc'
export const OPENAI_KEY = 'sk-proj-Ab3dE6gH9jK2mN5pQ8sT1vW4yZ7'
export const SENDGRID_KEY = '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'

// ---------------------------------------------------------------------------------------------
// Google: one OAuth server (accounts.google.com, oauth2.googleapis.com) for every Google API.
// https://developers.google.com/identity/protocols/oauth2/web-server: authorize with
// access_type=offline and prompt=consent, PKCE (S256) supported; the token request is a form with
// the client id and secret in the body (or HTTP Basic); the answer has access_token, expires_in,
// refresh_token, scope and token_type "Bearer". Google APIs take the token as Bearer and answer a
// bad one 401 {"error": {"code": 401, "status": "UNAUTHENTICATED"}}.

function googleShape (slug: string, apiHost: string, scope: string, api: ProviderShape['api']): ProviderShape {
  return {
    slug,
    hosts: ['accounts.google.com', 'oauth2.googleapis.com', apiHost],
    authorize: 'https://accounts.google.com/o/oauth2/v2/auth',
    token: 'https://oauth2.googleapis.com/token',
    clientAuth: 'either',
    formats: ['form'],
    redirectExtra: (q) => ({ scope: q.get('scope') ?? '', authuser: '0', prompt: 'consent' }),
    tokenBody: (fresh) => ({ access_token: `ya29.${fresh('a0')}`, expires_in: 3599, refresh_token: `1//${fresh('0g')}`, scope, token_type: 'Bearer' }),
    accessTokens: (body) => [body.access_token as string],
    presented: bearerToken,
    unauthorized: json({ error: { code: 401, message: 'Request had invalid authentication credentials.', status: 'UNAUTHENTICATED' } }, 401),
    api: (req) => (req.host === apiHost ? api(req) : undefined),
  }
}

// ---------------------------------------------------------------------------------------------
// Microsoft identity platform v2.0 per tenant, and Graph at graph.microsoft.com/v1.0.
// https://learn.microsoft.com/en-us/entra/identity-platform/v2-oauth2-auth-code-flow: authorize
// and token under login.microsoftonline.com/<tenant>/oauth2/v2.0, PKCE supported, the token
// request a form with client_id and client_secret in the body; the answer has token_type
// "Bearer", scope, expires_in, ext_expires_in, access_token, refresh_token (with offline_access).
// A bad token: 401 {"error": {"code": "InvalidAuthenticationToken"}}.

function graphShape (slug: string, scope: string, api: (path: string) => FakeAnswer | undefined): ProviderShape {
  return {
    slug,
    hosts: ['login.microsoftonline.com', 'graph.microsoft.com'],
    authorize: `https://login.microsoftonline.com/${MS_TENANT}/oauth2/v2.0/authorize`,
    token: `https://login.microsoftonline.com/${MS_TENANT}/oauth2/v2.0/token`,
    clientAuth: 'body',
    formats: ['form'],
    // App-only access: https://learn.microsoft.com/en-us/entra/identity-platform/v2-oauth2-client-creds-grant-flow
    clientCredentialsGrant: true,
    tokenBody: (fresh) => ({ token_type: 'Bearer', scope, expires_in: 3599, ext_expires_in: 3599, access_token: `eyJ0eXAiOiJKV1Qi.${fresh('ms')}`, refresh_token: `0.AXEA${fresh('rt')}` }),
    accessTokens: (body) => [body.access_token as string],
    presented: bearerToken,
    unauthorized: json({ error: { code: 'InvalidAuthenticationToken', message: 'Access token validation failure.' } }, 401),
    api: (req) => {
      if (req.host !== 'graph.microsoft.com' || !req.url.pathname.startsWith('/v1.0/')) return undefined
      if (req.url.pathname === '/v1.0/organization') return json({ value: [{ id: '84841066-274d-4ec0-a5c1-276be684bdd3' }] })
      return api(req.url.pathname.slice('/v1.0'.length))
    },
  }
}

/**
 * Atlassian's OAuth 2.0 (3LO) server at auth.atlassian.com: JSON code exchange with the client
 * credentials in the body, then sites from accessible-resources.
 * https://developer.atlassian.com/cloud/confluence/oauth-2-3lo-apps/
 */
const confluenceBase = `/ex/confluence/${CONFLUENCE_CLOUD_ID}/wiki`

export const SHAPES_A: Record<string, ProviderShape> = {
  'google-calendar': googleShape('google-calendar', 'www.googleapis.com', 'https://www.googleapis.com/auth/calendar', (req) => {
    if (req.url.pathname === '/calendar/v3/users/me/calendarList') return json({ kind: 'calendar#calendarList', items: [{ id: 'primary', summary: 'Ada' }] })
    if (req.url.pathname === '/calendar/v3/calendars/primary/events') return json({ kind: 'calendar#events', items: [] })
    return undefined
  }),
  'google-drive': googleShape('google-drive', 'www.googleapis.com', 'https://www.googleapis.com/auth/drive', (req) => {
    if (req.url.pathname === '/drive/v3/about') return json({ user: { displayName: 'Ada', emailAddress: 'ada@acme.test' } })
    if (req.url.pathname === '/drive/v3/files') return json({ kind: 'drive#fileList', files: [] })
    return undefined
  }),
  'google-sheets': googleShape('google-sheets', 'sheets.googleapis.com', 'https://www.googleapis.com/auth/spreadsheets', (req) => {
    if (req.url.pathname === '/v4/spreadsheets/1BxiMVs0XRA5nFMdKvBdBZjgmUUqptlbs74OgvE2upms/values/A1:B2') return json({ range: 'Sheet1!A1:B2', majorDimension: 'ROWS', values: [['a', 'b']] })
    return undefined
  }),
  gmail: googleShape('gmail', 'gmail.googleapis.com', 'https://www.googleapis.com/auth/gmail.modify', (req) => {
    if (req.url.pathname === '/gmail/v1/users/me/profile') return json({ emailAddress: 'ada@acme.test', messagesTotal: 42 })
    if (req.url.pathname === '/gmail/v1/users/me/messages') return json({ messages: [], resultSizeEstimate: 0 })
    return undefined
  }),
  'microsoft-graph': graphShape('microsoft-graph', 'User.Read', (path) => (path === '/me' ? json({ id: 'u1', displayName: 'Ada' }) : undefined)),
  sharepoint: graphShape('sharepoint', 'Sites.ReadWrite.All Files.ReadWrite.All', (path) => {
    if (path === '/sites/root') return json({ id: 'contoso.sharepoint.com,1,2', webUrl: 'https://contoso.sharepoint.com' })
    if (path === '/sites/root/drive/root/children') return json({ value: [] })
    return undefined
  }),
  outlook: graphShape('outlook', 'User.Read Mail.ReadWrite Mail.Send Calendars.ReadWrite Contacts.ReadWrite', (path) => (path === '/me/messages' ? json({ value: [] }) : undefined)),
  'microsoft-teams': graphShape('microsoft-teams', 'User.Read Team.ReadBasic.All Channel.ReadBasic.All ChannelMessage.Send Chat.ReadWrite', (path) => {
    if (path === '/teams') return json({ value: [{ id: '172b0cce-e65d-44ce-9a49-91d9f2e8493a', displayName: 'Contoso Team' }] })
    if (path === '/teams/172b0cce-e65d-44ce-9a49-91d9f2e8493a/channels') return json({ value: [{ id: '19:561fbdbbfca848a484f0a6f00ce9dbbd@thread.tacv2', displayName: 'General' }] })
    return undefined
  }),

  // https://docs.github.com/en/apps/oauth-apps/building-oauth-apps/authorizing-oauth-apps: authorize
  // at github.com/login/oauth/authorize (PKCE S256 supported), the code exchange a POST with
  // client_id and client_secret, answered as JSON {access_token, scope, token_type} when asked
  // with Accept: application/json. The REST API takes OAuth tokens and personal access tokens as
  // Bearer; a bad one is 401 {"message": "Bad credentials"}.
  github: {
    slug: 'github',
    hosts: ['github.com', 'api.github.com'],
    authorize: 'https://github.com/login/oauth/authorize',
    token: 'https://github.com/login/oauth/access_token',
    clientAuth: 'body',
    formats: ['form', 'json'],
    tokenBody: (fresh) => ({ access_token: `gho_${fresh('16C7e42F')}`, scope: 'repo,read:user', token_type: 'bearer' }),
    accessTokens: (body) => [body.access_token as string],
    staticTokens: [GITHUB_PAT],
    presented: bearerToken,
    unauthorized: json({ message: 'Bad credentials', documentation_url: 'https://docs.github.com/rest', status: '401' }, 401),
    api: (req) => {
      if (req.host !== 'api.github.com') return undefined
      if (req.url.pathname === '/user') return json({ login: 'octocat', id: 1 })
      if (req.url.pathname === '/user/repos') return json([{ id: 1296269, full_name: 'octocat/Hello-World' }])
      return undefined
    },
  },
  // https://docs.gitlab.com/api/oauth2/: authorize and token on the instance, PKCE supported, the
  // code exchange a form with client_id, client_secret, code, grant_type and redirect_uri; the
  // answer {access_token, token_type "Bearer", expires_in 7200, refresh_token, scope, created_at}.
  // https://docs.gitlab.com/api/rest/authentication/: OAuth and personal access tokens as Bearer;
  // a bad one is 401 {"message": "401 Unauthorized"}.
  gitlab: {
    slug: 'gitlab',
    hosts: ['gitlab.com'],
    authorize: 'https://gitlab.com/oauth/authorize',
    token: 'https://gitlab.com/oauth/token',
    clientAuth: 'body',
    formats: ['form', 'json'],
    tokenBody: (fresh) => ({ access_token: fresh('glo'), token_type: 'Bearer', expires_in: 7200, refresh_token: fresh('glr'), scope: 'read_user api', created_at: 1735689600 }),
    accessTokens: (body) => [body.access_token as string],
    staticTokens: [GITLAB_PAT],
    presented: bearerToken,
    unauthorized: json({ message: '401 Unauthorized' }, 401),
    api: (req) => {
      if (req.url.pathname === '/api/v4/user') return json({ id: 1, username: 'ada' })
      if (req.url.pathname === '/api/v4/projects') return json([{ id: 278964, path_with_namespace: 'gitlab-org/gitlab' }])
      return undefined
    },
  },
  // https://developer.atlassian.com/cloud/bitbucket/oauth-2/: authorize at bitbucket.org/site/oauth2
  // (no scope parameter: the consumer's scopes apply), the code exchange a form
  // grant_type=authorization_code&code=... with the consumer key and secret as HTTP Basic; the answer
  // {access_token, scopes, expires_in 7200, refresh_token, token_type "bearer", state}.
  // https://support.atlassian.com/bitbucket-cloud/docs/using-api-tokens/: API tokens as Basic with
  // the account email; access tokens as Bearer. A bad credential is 401.
  bitbucket: {
    slug: 'bitbucket',
    hosts: ['bitbucket.org', 'api.bitbucket.org'],
    authorize: 'https://bitbucket.org/site/oauth2/authorize',
    token: 'https://bitbucket.org/site/oauth2/access_token',
    clientAuth: 'basic',
    formats: ['form'],
    tokenBody: (fresh) => ({ access_token: fresh('bbo'), scopes: 'repository pullrequest account', expires_in: 7200, refresh_token: fresh('bbr'), token_type: 'bearer', state: 'authorization_code' }),
    accessTokens: (body) => [body.access_token as string],
    staticTokens: [`${BITBUCKET_EMAIL}:${BITBUCKET_API_TOKEN}`, BITBUCKET_ACCESS_TOKEN],
    presented: (req) => bearerToken(req) ?? basicPair(req),
    unauthorized: json({ type: 'error', error: { message: 'Access token expired or invalid' } }, 401),
    api: (req) => {
      if (req.host !== 'api.bitbucket.org') return undefined
      if (req.url.pathname === '/2.0/repositories') return json({ pagelen: 1, values: [{ full_name: 'acme/widgets' }], page: 1 })
      if (req.url.pathname === '/2.0/repositories/acme/widgets') return json({ type: 'repository', full_name: 'acme/widgets', is_private: true })
      return undefined
    },
  },
  // https://developer.atlassian.com/cloud/confluence/oauth-2-3lo-apps/ and
  // https://developer.atlassian.com/cloud/confluence/basic-auth-for-rest-apis/
  confluence: {
    slug: 'confluence',
    hosts: ['auth.atlassian.com', 'api.atlassian.com', `${CONFLUENCE_SITE}.atlassian.net`],
    authorize: 'https://auth.atlassian.com/authorize',
    token: 'https://auth.atlassian.com/oauth/token',
    clientAuth: 'body',
    formats: ['json'],
    tokenBody: (fresh) => ({ access_token: fresh('eyJraWQi'), refresh_token: fresh('eyJyZWZy'), expires_in: 3600, scope: 'read:space:confluence read:page:confluence write:page:confluence offline_access', token_type: 'Bearer' }),
    accessTokens: (body) => [body.access_token as string],
    staticTokens: [`${CONFLUENCE_EMAIL}:${CONFLUENCE_API_TOKEN}`],
    presented: (req) => (req.host === 'api.atlassian.com' ? bearerToken(req) : basicPair(req)),
    api: (req) => {
      if (req.host === 'api.atlassian.com' && req.url.pathname === '/oauth/token/accessible-resources') {
        return json([{ id: CONFLUENCE_CLOUD_ID, url: `https://${CONFLUENCE_SITE}.atlassian.net`, name: CONFLUENCE_SITE, scopes: ['read:space:confluence', 'read:page:confluence'], avatarUrl: '' }])
      }
      const base = req.host === 'api.atlassian.com' ? confluenceBase : '/wiki'
      if (req.url.pathname === `${base}/api/v2/spaces`) return json({ results: [{ id: '98306', key: 'ENG', name: 'Engineering' }], _links: {} })
      if (req.url.pathname === `${base}/api/v2/pages/65598`) return json({ id: '65598', title: 'Runbook', spaceId: '98306', status: 'current' })
      return undefined
    },
  },
  // https://developer.atlassian.com/cloud/trello/guides/rest-api/authorization/: the key and
  // token as query parameters, or an OAuth 1.0a HMAC-SHA1 signature with the Power-Up's secret
  // and the token secret; a bad one is 401 "invalid key" / "invalid token" (text/plain).
  trello: {
    slug: 'trello',
    hosts: ['api.trello.com'],
    ...NO_OAUTH,
    ...noTokens,
    staticTokens: [`key:${TRELLO_KEY}:${TRELLO_TOKEN}`, `oauth1:${TRELLO_KEY}:${TRELLO_TOKEN}`],
    presented: (req) => {
      if ((req.headers.authorization ?? '').startsWith('OAuth ')) {
        return verifyOAuth1(req, TRELLO_SECRET, TRELLO_TOKEN_SECRET) ? `oauth1:${oauthParams(req).oauth_consumer_key}:${oauthParams(req).oauth_token}` : undefined
      }
      const q = req.url.searchParams
      return q.getAll('key').length === 1 && q.getAll('token').length === 1 ? `key:${q.get('key')}:${q.get('token')}` : undefined
    },
    unauthorized: { status: 401, body: 'invalid token', contentType: 'text/plain; charset=utf-8' },
    api: (req) => {
      if (req.url.pathname === '/1/members/me') return json({ id: '5abbe4b7ddc1b351ef961414', username: 'ada' })
      if (req.url.pathname === '/1/members/me/boards') return json([{ id: '5abbe4b7ddc1b351ef961415', name: 'Roadmap' }])
      return undefined
    },
  },
  // https://www.twilio.com/docs/usage/api#authenticate-with-http: HTTP Basic with the Account SID
  // and Auth Token, or an API key SID and secret; a bad one is 401 {"code": 20003, "message": "Authenticate"}.
  twilio: {
    slug: 'twilio',
    hosts: ['api.twilio.com'],
    ...NO_OAUTH,
    ...noTokens,
    staticTokens: [`${TWILIO_SID}:${TWILIO_AUTH_TOKEN}`, `${TWILIO_KEY_SID}:${TWILIO_KEY_SECRET}`],
    presented: basicPair,
    unauthorized: json({ code: 20003, message: 'Authenticate', more_info: 'https://www.twilio.com/docs/errors/20003', status: 401 }, 401),
    api: (req) => {
      const account = `/2010-04-01/Accounts/${TWILIO_SID}`
      if (req.url.pathname === `${account}.json`) return json({ sid: TWILIO_SID, friendly_name: 'Acme', status: 'active', type: 'Full' })
      if (req.url.pathname === `${account}/Messages.json`) return json({ messages: [], page: 0, page_size: 50 })
      return undefined
    },
  },

  // https://developers.asana.com/docs/oauth: authorize at app.asana.com/-/oauth_authorize (PKCE
  // S256), the code exchange a form with client_id and client_secret; the answer has access_token,
  // expires_in 3600, token_type "bearer", refresh_token and `data` (the user). Personal access
  // tokens are Bearer too; a bad one is 401 {"errors": [{"message": "Not Authorized"}]}.
  asana: {
    slug: 'asana',
    hosts: ['app.asana.com'],
    authorize: 'https://app.asana.com/-/oauth_authorize',
    token: 'https://app.asana.com/-/oauth_token',
    clientAuth: 'body',
    formats: ['form'],
    tokenBody: (fresh) => ({ access_token: `2/${fresh('as')}`, expires_in: 3600, token_type: 'bearer', data: { id: 4673218951, gid: '4673218951', name: 'Greg Sanchez', email: 'gsanchez@example.com' }, refresh_token: `2/${fresh('asr')}` }),
    accessTokens: (body) => [body.access_token as string],
    staticTokens: [ASANA_PAT],
    presented: bearerToken,
    unauthorized: json({ errors: [{ message: 'Not Authorized' }] }, 401),
    api: (req) => {
      if (req.url.pathname === '/api/1.0/users/me') return json({ data: { gid: '4673218951', name: 'Greg Sanchez', resource_type: 'user' } })
      if (req.url.pathname === '/api/1.0/tasks/1204') return json({ data: { gid: '1204', name: 'Ship it', completed: false } })
      return undefined
    },
  },
  // https://developers.zoom.us/docs/integrations/oauth/: authorize at zoom.us/oauth/authorize, the
  // code exchange a form at zoom.us/oauth/token with HTTP Basic client auth (PKCE verifier
  // accepted); the answer {access_token, token_type "bearer", refresh_token, expires_in, scope,
  // api_url}. A bad token: 401 {"code": 124, "message": "Invalid access token."}.
  zoom: {
    slug: 'zoom',
    hosts: ['zoom.us', 'api.zoom.us'],
    authorize: 'https://zoom.us/oauth/authorize',
    token: 'https://zoom.us/oauth/token',
    clientAuth: 'basic',
    formats: ['form'],
    tokenBody: (fresh) => ({ access_token: `eyJzdiI6IjAwMDAwMSIs.${fresh('zm')}`, token_type: 'bearer', refresh_token: fresh('zmr'), expires_in: 3599, scope: 'user:read:user meeting:read:list_meetings', api_url: 'https://api.zoom.us' }),
    accessTokens: (body) => [body.access_token as string],
    presented: bearerToken,
    unauthorized: json({ code: 124, message: 'Invalid access token.' }, 401),
    api: (req) => {
      if (req.host !== 'api.zoom.us') return undefined
      if (req.url.pathname === '/v2/users/me') return json({ id: 'KDcuGIm1QgePTO8WbOqwIQ', email: 'ada@acme.test' })
      if (req.url.pathname === '/v2/users/me/meetings') return json({ page_size: 30, total_records: 0, meetings: [] })
      return undefined
    },
  },
  // https://developers.intercom.com/building-apps/docs/setting-up-oauth: authorize at
  // app[.region].intercom.com/oauth, the code exchange a form at
  // api[.region].intercom.io/auth/eagle/token with client_id, client_secret and code; the answer
  // {token_type, token, access_token} (no refresh, no expiry). A bad token is 401
  // {"type": "error.list", "errors": [{"code": "unauthorized"}]}.
  intercom: {
    slug: 'intercom',
    hosts: ['app.eu.intercom.com', 'api.eu.intercom.io', 'api.intercom.io'],
    authorize: 'https://app.eu.intercom.com/oauth',
    token: 'https://api.eu.intercom.io/auth/eagle/token',
    clientAuth: 'body',
    formats: ['form', 'json'],
    tokenBody: (fresh) => {
      const token = Buffer.from(`tok:${fresh('ic')}`).toString('base64')
      return { token_type: 'Bearer', token, access_token: token }
    },
    accessTokens: (body) => [body.access_token as string],
    staticTokens: [INTERCOM_TOKEN],
    presented: bearerToken,
    unauthorized: json({ type: 'error.list', request_id: '000on4hl7a6hkrtq4g0g', errors: [{ code: 'unauthorized', message: 'Access Token Invalid' }] }, 401),
    api: (req) => {
      if (req.url.pathname === '/me') return json({ type: 'admin', id: '991267460', email: 'ada@acme.test', app: { id_code: 'this_is_an_id', region: req.host === 'api.eu.intercom.io' ? 'EU' : 'US' } })
      if (req.url.pathname === '/contacts') return json({ type: 'list', data: [], total_count: 0 })
      return undefined
    },
  },
  // https://pipedrive.readme.io/docs/marketplace-oauth-authorization: authorize and token at
  // oauth.pipedrive.com, the code exchange a form with HTTP Basic client auth; the answer has
  // access_token, token_type, refresh_token, scope, expires_in and api_domain (the company's API
  // host). https://pipedrive.readme.io/docs/core-api-concepts-authentication: API tokens as the
  // api_token query parameter. A bad credential is 401 {"success": false, "errorCode": 401}.
  pipedrive: {
    slug: 'pipedrive',
    hosts: ['oauth.pipedrive.com', `${PIPEDRIVE_COMPANY}.pipedrive.com`, `${PIPEDRIVE_OAUTH_DOMAIN}.pipedrive.com`],
    authorize: 'https://oauth.pipedrive.com/oauth/authorize',
    token: 'https://oauth.pipedrive.com/oauth/token',
    clientAuth: 'basic',
    formats: ['form'],
    tokenBody: (fresh) => ({ access_token: `v1u:${fresh('AQIBAHj')}`, token_type: 'Bearer', refresh_token: fresh('pdr'), scope: 'base,deals:full', expires_in: 3599, api_domain: `https://${PIPEDRIVE_OAUTH_DOMAIN}.pipedrive.com` }),
    accessTokens: (body) => [body.access_token as string],
    staticTokens: [`query:${PIPEDRIVE_API_TOKEN}`],
    presented: (req) => {
      const token = req.url.searchParams.getAll('api_token')
      return token.length === 1 ? `query:${token[0]}` : bearerToken(req)
    },
    unauthorized: json({ success: false, error: 'unauthorized access', errorCode: 401, error_info: 'Please check developers.pipedrive.com' }, 401),
    api: (req) => {
      if (req.url.pathname === '/api/v1/users/me') return json({ success: true, data: { id: 123, name: 'Ada', company_domain: req.host.split('.')[0] } })
      if (req.url.pathname === '/api/v2/deals') return json({ success: true, data: [], additional_data: { next_cursor: null } })
      return undefined
    },
  },
  // https://mailchimp.com/developer/marketing/guides/access-user-data-oauth-2/: authorize and token
  // at login.mailchimp.com (no scopes), the code exchange a form with client_id and client_secret;
  // the answer {access_token, expires_in: 0, scope: null}: the token does not expire. The metadata
  // endpoint names the data centre (dc, api_endpoint); the guide sends `Authorization: OAuth
  // <token>` there, and integrations send Bearer, which it takes as well. The Marketing API at
  // <dc>.api.mailchimp.com/3.0 takes the OAuth token as Bearer and an API key as the Basic
  // password (any user name); a bad one is 401 application/problem+json.
  mailchimp: {
    slug: 'mailchimp',
    hosts: ['login.mailchimp.com', `${MAILCHIMP_DC}.api.mailchimp.com`],
    authorize: 'https://login.mailchimp.com/oauth2/authorize',
    token: 'https://login.mailchimp.com/oauth2/token',
    clientAuth: 'body',
    formats: ['form'],
    tokenBody: (fresh) => ({ access_token: fresh('mc'), expires_in: 0, scope: null }),
    accessTokens: (body) => [body.access_token as string],
    staticTokens: [MAILCHIMP_KEY],
    presented: (req) => {
      if (req.host === 'login.mailchimp.com') return /^(?:OAuth|Bearer) (.+)$/.exec(req.headers.authorization ?? '')?.[1]
      return bearerToken(req) ?? basicPair(req)?.split(':').slice(1).join(':')
    },
    unauthorized: { status: 401, contentType: 'application/problem+json', body: { type: 'https://mailchimp.com/developer/marketing/docs/errors/', title: 'API Key Invalid', status: 401, detail: 'Your API key may be invalid, or you\'ve attempted to access the wrong datacenter.' } },
    api: (req) => {
      if (req.host === 'login.mailchimp.com') {
        if (req.url.pathname !== '/oauth2/metadata') return undefined
        return json({ dc: MAILCHIMP_DC, role: 'owner', accountname: 'Acme', user_id: 42, login: { email: 'ada@acme.test', login_id: 42 }, login_url: 'https://login.mailchimp.com', api_endpoint: `https://${MAILCHIMP_DC}.api.mailchimp.com` })
      }
      if (req.url.pathname === '/3.0/ping') return json({ health_status: 'Everything\'s Chimpy!' })
      if (req.url.pathname === '/3.0/lists') return json({ lists: [{ id: '4ca5becb8d', name: 'Newsletter' }], total_items: 1 })
      return undefined
    },
  },
  // https://docs.stripe.com/api/authentication: the secret key as Bearer (or Basic user name);
  // a bad one is 401 {"error": {"type": "invalid_request_error"}}.
  stripe: {
    slug: 'stripe',
    hosts: ['api.stripe.com'],
    ...NO_OAUTH,
    ...noTokens,
    staticTokens: [STRIPE_KEY],
    presented: bearerToken,
    unauthorized: json({ error: { type: 'invalid_request_error', message: 'Invalid API Key provided.' } }, 401),
    api: (req) => {
      if (req.url.pathname === '/v1/balance') return json({ object: 'balance', available: [{ amount: 0, currency: 'usd' }], livemode: false })
      if (req.url.pathname === '/v1/customers') return json({ object: 'list', data: [], has_more: false, url: '/v1/customers' })
      return undefined
    },
  },
  // https://platform.openai.com/docs/api-reference/authentication: Bearer API keys; a bad one is
  // 401 {"error": {"code": "invalid_api_key"}}.
  openai: {
    slug: 'openai',
    hosts: ['api.openai.com'],
    ...NO_OAUTH,
    ...noTokens,
    staticTokens: [OPENAI_KEY],
    presented: bearerToken,
    unauthorized: json({ error: { message: 'Incorrect API key provided.', type: 'invalid_request_error', param: null, code: 'invalid_api_key' } }, 401),
    api: (req) => {
      if (req.url.pathname === '/v1/models') return json({ object: 'list', data: [{ id: 'gpt-4o', object: 'model', owned_by: 'system' }] })
      return undefined
    },
  },
  // https://www.twilio.com/docs/sendgrid/for-developers/sending-email/authentication: Bearer API
  // keys (SG.…); a bad one is 401 {"errors": [{"message": "The provided authorization grant is invalid, expired, or revoked"}]}.
  sendgrid: {
    slug: 'sendgrid',
    hosts: ['api.sendgrid.com'],
    ...NO_OAUTH,
    ...noTokens,
    staticTokens: [SENDGRID_KEY],
    presented: bearerToken,
    unauthorized: json({ errors: [{ field: null, message: 'The provided authorization grant is invalid, expired, or revoked' }] }, 401),
    api: (req) => {
      if (req.url.pathname === '/v3/scopes') return json({ scopes: ['mail.send', 'marketing.read'] })
      if (req.url.pathname === '/v3/marketing/lists') return json({ result: [], _metadata: { count: 0 } })
      return undefined
    },
  },
}

// ---------------------------------------------------------------------------------------------
// Several slugs behind one OAuth server

/**
 * One fake for several catalog slugs whose provider runs one OAuth server and one API for all
 * of them (Google, Microsoft): the authorize request goes to the slug whose client id it names,
 * the token request to the slug whose client id authenticates it, and an API call to the slug
 * that issued the token it presents (else to the first, which refuses it). The slugs' own fakes
 * keep recording what they received.
 */
export function sharedHostFakes (fakes: readonly ProviderFake[]): ProviderFake {
  const byClient = new Map(fakes.map((f) => [clientCredentials(f.slug).id, f]))
  const issuer = new Map<string, ProviderFake>()
  for (const f of fakes) for (const t of f.shape.staticTokens ?? []) issuer.set(t, f)
  const first = fakes[0]!
  const route = (req: FakeRequest): ProviderFake => {
    const authorize = fakes.find((f) => isAt(req, f.shape.authorize))
    if (authorize !== undefined && req.method === 'GET') return byClient.get(req.url.searchParams.get('client_id') ?? '') ?? first
    if (fakes.some((f) => isAt(req, f.shape.token)) && req.method === 'POST') return byClient.get(clientIdOf(req) ?? '') ?? first
    return issuer.get(first.shape.presented(req) ?? '') ?? first
  }
  return {
    ...first,
    slug: fakes.map((f) => f.slug).join('+'),
    hosts: [...new Set(fakes.flatMap((f) => f.hosts))],
    handle (req) {
      const fake = route(req)
      const before = fake.tokenAnswers.length
      const answer = fake.handle(req)
      for (const body of fake.tokenAnswers.slice(before)) for (const t of fake.shape.accessTokens(body)) issuer.set(t, fake)
      return answer
    },
  }
}

function isAt (req: FakeRequest, url: string): boolean {
  const u = new URL(url)
  return req.host === u.hostname && req.url.pathname === u.pathname
}

function clientIdOf (req: FakeRequest): string | undefined {
  const basic = basicPair(req)
  if (basic !== undefined) return basic.split(':')[0]
  if ((req.headers['content-type'] ?? '').startsWith('application/json')) return (JSON.parse(req.body) as { client_id?: string }).client_id
  return new URLSearchParams(req.body).get('client_id') ?? undefined
}

// ---------------------------------------------------------------------------------------------
// Checks

/** RFC 7636 S256: the authorize request's code_challenge is the hash of the token request's code_verifier. */
export function pkceHolds (authorize: URLSearchParams, tokenParams: ReadonlyArray<[string, string]>): boolean {
  const verifier = tokenParams.find(([k]) => k === 'code_verifier')?.[1]
  if (verifier === undefined || authorize.get('code_challenge_method') !== 'S256') return false
  return createHash('sha256').update(verifier).digest('base64url') === authorize.get('code_challenge')
}

const rfc3986 = (s: string) => encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)

/** The parameters of an `Authorization: OAuth ...` header, decoded. */
export function oauthParams (req: FakeRequest): Record<string, string> {
  const header = (req.headers.authorization ?? '').replace(/^OAuth\s+/, '')
  return Object.fromEntries([...header.matchAll(/([A-Za-z_]+)="([^"]*)"/g)].map((m) => [m[1]!, decodeURIComponent(m[2]!)]))
}

/**
 * The provider's check of an RFC 5849 HMAC-SHA1 signature (3.4.1-3.4.2), written independently
 * of src/auth/oauth1.ts: base string over the method, https://host/path, the query and the
 * oauth_* parameters (realm and the signature excluded), keyed with both secrets.
 */
export function verifyOAuth1 (req: FakeRequest, consumerSecret: string, tokenSecret: string): boolean {
  const oauth = oauthParams(req)
  if (oauth.oauth_signature_method !== 'HMAC-SHA1' || oauth.oauth_signature === undefined) return false
  if (Math.abs(Number(oauth.oauth_timestamp) - Date.now() / 1000) > 300) return false
  const pairs: Array<[string, string]> = [...req.url.searchParams]
  for (const [k, v] of Object.entries(oauth)) if (k !== 'oauth_signature' && k !== 'realm') pairs.push([k, v])
  const normalized = pairs.map(([k, v]) => [rfc3986(k), rfc3986(v)] as const)
    .sort(([ak, av], [bk, bv]) => (ak === bk ? (av < bv ? -1 : av > bv ? 1 : 0) : ak < bk ? -1 : 1))
    .map(([k, v]) => `${k}=${v}`).join('&')
  const base = [req.method.toUpperCase(), `https://${req.host}${req.url.pathname}`, normalized].map(rfc3986).join('&')
  const expected = createHmac('sha1', `${rfc3986(consumerSecret)}&${rfc3986(tokenSecret)}`).update(base).digest()
  const given = Buffer.from(oauth.oauth_signature, 'base64')
  return given.length === expected.length && timingSafeEqual(given, expected)
}

// ---------------------------------------------------------------------------------------------
// The connect page for input-based methods

export interface FormConnect { status: number, text: string }

/** A connect session pinned to `auth`, and the form submitted with `values` (SPEC 8). */
export async function connectWithForm (h: ProviderHarness, options: { connector: string, connection: string, auth: string, values: Record<string, string> }): Promise<FormConnect> {
  const created = await h.fetch('/connect/sessions', {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-latchkey-key': APP_KEY },
    body: JSON.stringify({ connector: options.connector, connection: options.connection, auth: options.auth }),
  })
  const session = await created.json() as { token?: string }
  if (created.status !== 201 || session.token === undefined) throw new Error(`session: ${created.status} ${JSON.stringify(session)}`)
  const form = new URLSearchParams({ auth: options.auth })
  for (const [name, value] of Object.entries(options.values)) form.set(`v:${name}`, value)
  const res = await h.fetch(`/connect/${session.token}`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: form.toString(), redirect: 'manual' })
  return { status: res.status, text: await res.text() }
}

/** Every secret the part-a fakes issued or the tests typed, and the client secrets, for assertNoSecrets. */
export function secretsOf (fakes: readonly ProviderFake[]): string[] {
  const values = new Set<string>()
  for (const f of fakes) {
    values.add(clientCredentials(f.slug).secret)
    for (const body of f.tokenAnswers) for (const t of f.shape.accessTokens(body)) values.add(t)
    for (const body of f.tokenAnswers) if (typeof body.refresh_token === 'string') values.add(body.refresh_token)
  }
  // What users typed as passwords (account ids, SIDs, emails and the Trello key are config, not secrets).
  for (const s of [GITHUB_PAT, GITLAB_PAT, BITBUCKET_API_TOKEN, BITBUCKET_ACCESS_TOKEN, CONFLUENCE_API_TOKEN, TRELLO_SECRET, TRELLO_TOKEN,
    TRELLO_TOKEN_SECRET, TWILIO_AUTH_TOKEN, TWILIO_KEY_SECRET, ASANA_PAT, INTERCOM_TOKEN, PIPEDRIVE_API_TOKEN, MAILCHIMP_KEY, STRIPE_KEY,
    OPENAI_KEY, SENDGRID_KEY]) values.add(s)
  return [...values]
}

// ---------------------------------------------------------------------------------------------
// One proof, as a table row: what a catalog entry must send and where

export interface OAuthProof {
  slug: string
  connection: string
  auth?: string
  /** Inputs typed on the form step (tenant, region). */
  values?: Record<string, string>
  /** https://host/path the browser is sent to. */
  authorize: string
  /** The joined scopes, or null when the entry requests none. */
  scope: string | null
  pkce: boolean
  /** authorize_params, in order. */
  params?: Record<string, string>
  token: string
  format: 'form' | 'json'
  clientAuth: 'basic' | 'body'
  /** The stored connection.config: typed values plus metadata and post_connect values. */
  config?: Record<string, string>
  /** The post_connect request's URL. */
  postConnect?: string
  /** The connector test's URL, when the entry has one. */
  test?: string
  /** A proxied route and the exact URL the provider must see. */
  call: { route: string, url: string }
}

type TapLike = Pick<Tap, 'equal' | 'same' | 'match' | 'ok'>

/** The whole connect flow of one oauth2 method with its real URLs, then one proxied call. */
export async function proveOAuth (t: TapLike, h: ProviderHarness, fake: ProviderFake, p: OAuthProof): Promise<void> {
  const auth = p.auth ?? 'oauth'
  const client = clientCredentials(p.slug)
  const step = await connectThroughProvider(h, { connector: p.slug, connection: p.connection, auth, ...(p.values === undefined ? {} : { values: p.values }) })

  t.equal(`${step.authorize.origin}${step.authorize.pathname}`, p.authorize, 'authorize host and path')
  const q = step.authorize.searchParams
  const params = p.params ?? {}
  t.same([...q.keys()], ['response_type', 'client_id', 'redirect_uri', ...(p.scope === null ? [] : ['scope']), 'state',
    ...(p.pkce ? ['code_challenge', 'code_challenge_method'] : []), ...Object.keys(params)], p.pkce ? 'authorize parameters, S256 PKCE' : 'authorize parameters, no PKCE')
  t.equal(q.get('response_type'), 'code')
  t.equal(q.get('client_id'), client.id)
  t.equal(q.get('redirect_uri'), CALLBACK_URL)
  t.equal(q.get('scope'), p.scope, 'scopes and their separator')
  for (const [k, v] of Object.entries(params)) t.equal(q.get(k), v, `authorize param ${k}`)

  t.equal(step.result.status, 200, step.result.status === 200 ? 'connected' : step.resultText)
  t.same(fake.refused.map((r) => r.reason), [], 'the token endpoint refused nothing')
  const req = fake.tokenRequests.at(-1)!
  t.equal(req.url.href, p.token, 'token URL')
  t.equal(req.headers['content-type'], p.format === 'json' ? 'application/json' : 'application/x-www-form-urlencoded', `token request body: ${p.format}`)
  t.equal(req.headers.authorization, p.clientAuth === 'basic' ? basicOf(p.slug) : undefined, `client auth: ${p.clientAuth}`)
  const sent = tokenParams(req)
  t.same(sent.map(([k]) => k), ['grant_type', 'code', 'redirect_uri', ...(p.clientAuth === 'body' ? ['client_id', 'client_secret'] : []), ...(p.pkce ? ['code_verifier'] : [])], 'token request parameters')
  t.same(sent.slice(0, 3), [['grant_type', 'authorization_code'], ['code', fake.codes.at(-1)!], ['redirect_uri', CALLBACK_URL]])
  if (p.clientAuth === 'body') t.same(sent.slice(3, 5), [['client_id', client.id], ['client_secret', client.secret]])
  if (p.pkce) t.ok(pkceHolds(q, sent), 'the verifier matches the challenge')

  const answer = fake.tokenAnswers.at(-1)!
  const token = fake.shape.accessTokens(answer)[0]!
  const stored = await h.stored(p.connection)
  t.match(stored, { connector: p.slug, auth, status: 'connected' })
  t.equal(stored?.credentials.access_token, token, 'the provider\'s access token is stored')
  t.same(stored?.config, p.config ?? {}, 'connection.config')
  if (p.postConnect !== undefined) {
    const look = fake.apiRequests.find((r) => r.url.href === p.postConnect)
    t.ok(look, `post_connect: GET ${p.postConnect}`)
    t.equal(look?.headers.authorization, `Bearer ${token}`, 'post_connect with the new token')
  }
  if (p.test !== undefined) t.ok(fake.apiRequests.some((r) => r.url.href === p.test), `the connector test ran: ${p.test}`)

  const res = await proxied(h, p.connection, p.call.route)
  t.equal(res.status, 200, 'proxied call answered')
  const call = fake.apiRequests.at(-1)!
  t.equal(call.url.href, p.call.url, 'the right host and base path')
  t.equal(call.headers.authorization, `Bearer ${token}`, 'the token as Bearer')
}

export interface FormProof {
  slug: string
  connection: string
  auth: string
  values: Record<string, string>
  /** Stored config (the non-password values typed). */
  config: Record<string, string>
  test?: string
  call: { route: string, url: string, check: (req: FakeRequest) => void }
}

/** The connect page with typed credentials (stored only after the connector test), then one proxied call. */
export async function proveForm (t: TapLike, h: ProviderHarness, fake: ProviderFake, p: FormProof): Promise<string> {
  const page = await connectWithForm(h, { connector: p.slug, connection: p.connection, auth: p.auth, values: p.values })
  t.equal(page.status, 200, page.status === 200 ? 'connected through the form' : page.text)
  const stored = await h.stored(p.connection)
  t.match(stored, { connector: p.slug, auth: p.auth, status: 'connected' })
  t.same(stored?.config, p.config, 'non-password inputs are config')
  t.same(Object.keys(stored?.credentials ?? {}).sort(), Object.keys(p.values).filter((k) => !(k in p.config)).sort(), 'password inputs are credentials')
  if (p.test !== undefined) t.ok(fake.apiRequests.some((r) => r.url.href === p.test), `the connector test ran: ${p.test}`)
  const res = await proxied(h, p.connection, p.call.route)
  t.equal(res.status, 200, 'proxied call answered')
  const call = fake.apiRequests.at(-1)!
  t.equal(call.url.href, p.call.url, 'the right host, base path and query')
  p.call.check(call)
  return page.text
}
