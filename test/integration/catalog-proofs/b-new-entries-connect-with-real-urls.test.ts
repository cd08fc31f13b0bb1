/**
 * The oauth2 methods of the catalog entries added in part b (monday, figma, servicenow, zoho-crm,
 * docusign, netsuite, attio, calendly), with their real URLs, against provider-shaped fakes
 * (test/helpers/provider-shapes-b.ts, each citing its documentation): the authorize redirect
 * (host, path, scope separator, parameters, PKCE), the exact token request (format, client auth),
 * the provider's token answer, post_connect (DocuSign's userinfo), the connector test, and one
 * proxied call with the token in the provider's header at the provider's host and base path.
 * One gateway process serves all of them.
 */
import t from 'tap'
import { DOCUSIGN_ACCOUNT_ID, DOCUSIGN_BASE, fakesFor, NETSUITE_ACCOUNT, NETSUITE_API_HOST, NETSUITE_APP_HOST, proveOAuth, SERVICENOW_HOST, SERVICENOW_INSTANCE, type OAuthProof } from '../../helpers/provider-shapes-b.js'
import { startProviderHarness } from '../../helpers/provider-hosts.js'

const bearer = (token: string) => ({ authorization: `Bearer ${token}` })

const PROOFS: OAuthProof[] = [
  {
    slug: 'monday',
    auth: 'oauth',
    authorize: 'https://auth.monday.com/oauth2/authorize',
    scope: 'me:read boards:read',
    pkce: false,
    token: 'https://auth.monday.com/oauth2/token',
    format: 'form',
    clientAuth: 'body',
    config: {},
    call: {
      route: '/v2',
      init: { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: '{ boards(limit: 25) { id name } }' }) },
      url: 'https://api.monday.com/v2',
      headers: (token) => ({ authorization: token, 'api-version': '2025-10' }),
    },
  },
  {
    slug: 'figma',
    auth: 'oauth',
    authorize: 'https://www.figma.com/oauth',
    scope: 'current_user:read,file_content:read,projects:read',
    pkce: false,
    token: 'https://api.figma.com/v1/oauth/token',
    format: 'form',
    clientAuth: 'basic',
    config: {},
    test: 'https://api.figma.com/v1/me',
    call: { route: '/v1/files/FiLeKeY123', url: 'https://api.figma.com/v1/files/FiLeKeY123', headers: bearer },
  },
  {
    slug: 'servicenow',
    auth: 'oauth',
    values: { instance: SERVICENOW_INSTANCE },
    authorize: `https://${SERVICENOW_HOST}/oauth_auth.do`,
    scope: 'useraccount',
    pkce: true,
    token: `https://${SERVICENOW_HOST}/oauth_token.do`,
    format: 'form',
    clientAuth: 'body',
    config: { instance: SERVICENOW_INSTANCE },
    test: `https://${SERVICENOW_HOST}/api/now/table/sys_user?sysparm_limit=1&sysparm_fields=sys_id`,
    call: {
      route: '/table/incident?sysparm_limit=10',
      url: `https://${SERVICENOW_HOST}/api/now/table/incident?sysparm_limit=10`,
      headers: (token) => ({ ...bearer(token), accept: 'application/json' }),
    },
  },
  {
    slug: 'zoho-crm',
    auth: 'oauth',
    values: { data_centre: 'eu' },
    authorize: 'https://accounts.zoho.eu/oauth/v2/auth',
    scope: 'ZohoCRM.modules.ALL,ZohoCRM.users.READ',
    pkce: true,
    authorizeExtra: [['access_type', 'offline'], ['prompt', 'consent']],
    token: 'https://accounts.zoho.eu/oauth/v2/token',
    format: 'form',
    clientAuth: 'body',
    config: { data_centre: 'eu' },
    test: 'https://www.zohoapis.eu/crm/v8/users?type=CurrentUser',
    call: { route: '/Contacts?fields=Last_Name', url: 'https://www.zohoapis.eu/crm/v8/Contacts?fields=Last_Name', headers: (token) => ({ authorization: `Zoho-oauthtoken ${token}` }) },
  },
  {
    slug: 'docusign',
    auth: 'oauth',
    values: { environment: 'demo' },
    authorize: 'https://account-d.docusign.com/oauth/auth',
    scope: 'signature extended',
    pkce: true,
    token: 'https://account-d.docusign.com/oauth/token',
    format: 'form',
    clientAuth: 'basic',
    postConnect: 'https://account-d.docusign.com/oauth/userinfo',
    config: { environment: 'demo', account_id: DOCUSIGN_ACCOUNT_ID, base_uri: DOCUSIGN_BASE },
    test: `${DOCUSIGN_BASE}/restapi/v2.1/accounts/${DOCUSIGN_ACCOUNT_ID}/folders`,
    call: {
      route: '/envelopes?from_date=2026-01-01',
      url: `${DOCUSIGN_BASE}/restapi/v2.1/accounts/${DOCUSIGN_ACCOUNT_ID}/envelopes?from_date=2026-01-01`,
      headers: bearer,
    },
  },
  {
    slug: 'netsuite',
    auth: 'oauth',
    values: { account_id: NETSUITE_ACCOUNT },
    authorize: `https://${NETSUITE_APP_HOST}/app/login/oauth2/authorize.nl`,
    scope: 'rest_webservices',
    pkce: true,
    token: `https://${NETSUITE_API_HOST}/services/rest/auth/oauth2/v1/token`,
    format: 'form',
    clientAuth: 'basic',
    config: { account_id: NETSUITE_ACCOUNT },
    test: `https://${NETSUITE_API_HOST}/services/rest/record/v1/customer?limit=1`,
    call: { route: '/customer/107', url: `https://${NETSUITE_API_HOST}/services/rest/record/v1/customer/107`, headers: bearer },
  },
  {
    slug: 'attio',
    auth: 'oauth',
    authorize: 'https://app.attio.com/authorize',
    pkce: false,
    token: 'https://app.attio.com/oauth/token',
    format: 'form',
    clientAuth: 'body',
    config: {},
    test: 'https://api.attio.com/v2/self',
    call: {
      route: '/objects/people/records/query',
      init: { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"limit":10}' },
      url: 'https://api.attio.com/v2/objects/people/records/query',
      headers: bearer,
    },
  },
  {
    slug: 'calendly',
    auth: 'oauth',
    authorize: 'https://auth.calendly.com/oauth/authorize',
    scope: 'users:read scheduled_events:read',
    pkce: true,
    token: 'https://auth.calendly.com/oauth/token',
    format: 'form',
    clientAuth: 'body',
    config: {},
    test: 'https://api.calendly.com/users/me',
    call: {
      route: '/scheduled_events?user=https%3A%2F%2Fapi.calendly.com%2Fusers%2FEBHAAFHDCAEQTSEZ',
      url: 'https://api.calendly.com/scheduled_events?user=https%3A%2F%2Fapi.calendly.com%2Fusers%2FEBHAAFHDCAEQTSEZ',
      headers: bearer,
    },
  },
]

t.test('the new part b entries connect with their real URLs', async (t) => {
  const fakes = fakesFor(PROOFS.map((p) => p.slug))
  const h = await startProviderHarness(t, { fakes: [...fakes.values()], slugs: [...fakes.keys()] })
  for (const proof of PROOFS) await t.test(proof.slug, (t) => proveOAuth(t, h, fakes.get(proof.slug)!, proof))
})
