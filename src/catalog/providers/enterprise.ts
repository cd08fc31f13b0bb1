/**
 * Enterprise platforms whose API lives on a per-customer host or region: ServiceNow (instance),
 * NetSuite (account id), DocuSign (demo or production, then the account's own base URI) and
 * Zoho CRM (data centre). The host part is always an input, never a separate entry.
 */
import type { ConnectorConfig } from '../../config/schema.js'
import { clientSecrets, secretInput, subdomainInput } from '../shared.js'

// ---------------------------------------------------------------------------------------------
// ServiceNow: https://<instance>.service-now.com, REST Table API under /api/now.
const SERVICENOW = 'https://{{ connection.config.instance }}.service-now.com'

// ---------------------------------------------------------------------------------------------
// NetSuite: the account id (1234567, or 1234567_SB1 for a sandbox) is written in host names in
// lower case with `-` for `_`, and as the OAuth 1.0a realm in upper case with `_`.
// https://docs.oracle.com/en/cloud/saas/netsuite/ns-online-help/section_1540391670.html
const NETSUITE_HOST_ID = "{{ connection.config.account_id | lower | replace('_', '-') }}"
const NETSUITE_REALM = "{{ connection.config.account_id | upper | replace('-', '_') }}"
const NETSUITE_REST = `https://${NETSUITE_HOST_ID}.suitetalk.api.netsuite.com/services/rest`

// ---------------------------------------------------------------------------------------------
// DocuSign: the account server is account-d.docusign.com for the developer (demo) environment
// and account.docusign.com for production; each account's API lives on its own base URI
// (https://demo.docusign.net, https://na3.docusign.net, https://eu.docusign.net, ...), named by
// GET /oauth/userinfo. https://developers.docusign.com/platform/auth/reference/user-info/
const DOCUSIGN_ACCOUNT_HOST = "{% if connection.config.environment | default('production') == 'demo' %}account-d.docusign.com{% else %}account.docusign.com{% endif %}"
const DOCUSIGN_ACCOUNT = `https://${DOCUSIGN_ACCOUNT_HOST}`
const DOCUSIGN_SCOPES = ['signature', 'extended']

// ---------------------------------------------------------------------------------------------
// Zoho: one accounts server and one API domain per data centre; Canada's accounts server is
// zohocloud.ca. https://www.zoho.com/crm/developer/docs/api/v8/multi-dc.html
const ZOHO_DATA_CENTRES = ['com', 'eu', 'in', 'com.au', 'jp', 'com.cn', 'ca', 'sa']
const ZOHO_ACCOUNTS = "https://{% if connection.config.data_centre == 'ca' %}accounts.zohocloud.ca{% else %}accounts.zoho.{{ connection.config.data_centre }}{% endif %}"
/** Zoho CRM REST API version (v8, 2025). */
const ZOHO_CRM_VERSION = 'v8'

export const ENTERPRISE_CONNECTORS: Record<string, ConnectorConfig> = {
  // https://docs.servicenow.com/bundle/washingtondc-api-reference/page/integrate/inbound-rest/concept/c_TableAPI.html
  // https://docs.servicenow.com/bundle/washingtondc-platform-security/page/administer/security/concept/c_OAuthApplications.html
  servicenow: {
    name: 'ServiceNow',
    description: 'ServiceNow REST APIs (Table API and others under /api/now) of one instance',
    domain: 'servicenow.com',
    visibility: 'public',
    base_url: `${SERVICENOW}/api/now`,
    allowed_hosts: ['*.service-now.com'],
    headers: { Accept: 'application/json' },
    inputs: [
      subdomainInput('instance', 'Instance', 'The part before .service-now.com (dev12345 for a developer instance)'),
      { name: 'username', label: 'Username', type: 'text', required: false, help: 'With basic auth: an integration user' },
      secretInput('password', 'Password', { required: false }),
    ],
    auth: {
      default: 'oauth',
      methods: {
        basic: { type: 'basic', username: '{{ connection.config.username }}', password: '{{ connection.credentials.password }}' },
        // The instance's OAuth application endpoint (System OAuth > Application Registry): the
        // code exchange is a form with the client id and secret in the body.
        oauth: {
          type: 'oauth2',
          authorize_url: `${SERVICENOW}/oauth_auth.do`,
          token_url: `${SERVICENOW}/oauth_token.do`,
          ...clientSecrets('servicenow'),
          scopes: ['useraccount'],
          scope_separator: ' ',
          pkce: true,
        },
        // Client credentials grant (Washington DC release and later), run as the OAuth
        // application's configured user.
        client_credentials: {
          type: 'oauth_client_credentials',
          token_url: `${SERVICENOW}/oauth_token.do`,
          ...clientSecrets('servicenow'),
        },
      },
    },
    test: { method: 'GET', path: '/table/sys_user?sysparm_limit=1&sysparm_fields=sys_id', expect_status: 200 },
    capabilities: {
      entities: {
        incident: {
          fields: ['sys_id', 'number', 'short_description', 'state', 'priority'],
          actions: {
            list: { method: 'GET', path: '/table/incident' },
            read: { method: 'GET', path: '/table/incident/{{ params.sys_id }}' },
            create: { method: 'POST', path: '/table/incident' },
          },
        },
      },
    },
  },

  // https://docs.oracle.com/en/cloud/saas/netsuite/ns-online-help/section_158074210415.html (OAuth 2.0 authorization code grant)
  // https://docs.oracle.com/en/cloud/saas/netsuite/ns-online-help/section_4247337262.html (token-based authentication)
  // https://docs.oracle.com/en/cloud/saas/netsuite/ns-online-help/chapter_1540391670.html (REST web services)
  netsuite: {
    name: 'NetSuite',
    description: 'NetSuite SuiteTalk REST web services (record API v1) of one account',
    domain: 'netsuite.com',
    visibility: 'public',
    base_url: `${NETSUITE_REST}/record/v1`,
    allowed_hosts: ['*.suitetalk.api.netsuite.com', '*.app.netsuite.com'],
    inputs: [
      {
        name: 'account_id', label: 'Account ID', type: 'text', required: true,
        pattern: '^[A-Za-z0-9]+([_-][A-Za-z0-9]+)?$', pattern_error: 'the account id, such as 1234567 or 1234567_SB1',
        help: 'Setup > Company > Company Information > Account ID',
      },
      secretInput('consumer_key', 'Consumer key', { required: false, help: 'Token-based authentication: from the integration record' }),
      secretInput('consumer_secret', 'Consumer secret', { required: false }),
      secretInput('token_id', 'Token ID', { required: false, help: 'Token-based authentication: from the access token record' }),
      secretInput('token_secret', 'Token secret', { required: false }),
    ],
    auth: {
      default: 'oauth',
      methods: {
        // Authorization code grant: authorize on the account's app host, the code exchange on
        // its SuiteTalk host as a form with HTTP Basic client auth; PKCE supported.
        oauth: {
          type: 'oauth2',
          authorize_url: `https://${NETSUITE_HOST_ID}.app.netsuite.com/app/login/oauth2/authorize.nl`,
          token_url: `${NETSUITE_REST}/auth/oauth2/v1/token`,
          ...clientSecrets('netsuite'),
          scopes: ['rest_webservices'],
          scope_separator: ' ',
          client_auth: 'basic',
          pkce: true,
        },
        // Token-based authentication: OAuth 1.0a, HMAC-SHA256, realm = the account id.
        tba: {
          type: 'oauth1',
          consumer_key: '{{ connection.credentials.consumer_key }}',
          consumer_secret: '{{ connection.credentials.consumer_secret }}',
          token: '{{ connection.credentials.token_id }}',
          token_secret: '{{ connection.credentials.token_secret }}',
          signature_method: 'HMAC-SHA256',
          realm: NETSUITE_REALM,
        },
      },
    },
    test: { method: 'GET', path: '/customer?limit=1', expect_status: 200 },
    capabilities: {
      entities: {
        customer: {
          fields: ['id', 'entityId', 'companyName', 'email'],
          actions: {
            list: { method: 'GET', path: '/customer' },
            read: { method: 'GET', path: '/customer/{{ params.id }}' },
            create: { method: 'POST', path: '/customer' },
          },
        },
      },
    },
  },

  // https://developers.docusign.com/platform/auth/authcode/authcode-get-token/
  // https://developers.docusign.com/platform/auth/jwt/jwt-get-token/
  // https://developers.docusign.com/docs/esign-rest-api/reference/envelopes/envelopes/
  docusign: {
    name: 'DocuSign',
    description: 'DocuSign eSignature REST API v2.1 of one account',
    domain: 'docusign.com',
    visibility: 'public',
    base_url: '{{ connection.config.base_uri }}/restapi/v2.1/accounts/{{ connection.config.account_id }}',
    allowed_hosts: ['*.docusign.net', 'account.docusign.com', 'account-d.docusign.com'],
    inputs: [
      {
        name: 'environment', label: 'Environment', type: 'select', required: false, default: 'production',
        options: ['production', 'demo'], help: 'demo for a developer account (account-d.docusign.com)',
      },
      {
        name: 'account_id', label: 'Account ID', type: 'text', required: false,
        pattern: '^[0-9a-fA-F-]{36}$', pattern_error: 'the API account id (GUID)', help: 'Filled in after connecting with OAuth',
      },
      {
        name: 'base_uri', label: 'Account base URI', type: 'url', required: false,
        pattern: '^https://[a-z0-9.-]+\\.docusign\\.net$', pattern_error: 'such as https://demo.docusign.net or https://na3.docusign.net',
        help: 'Filled in after connecting with OAuth',
      },
      { name: 'user_id', label: 'User ID', type: 'text', required: false, help: 'JWT grant: the user (GUID) the integration acts as' },
      secretInput('webhook_secret', 'Connect HMAC key', { required: false, help: 'To verify DocuSign Connect messages sent to latchkey' }),
    ],
    auth: {
      default: 'oauth',
      methods: {
        // Authorization code grant with HTTP Basic client auth; the account and its base URI come
        // from /oauth/userinfo (the first account of the user).
        oauth: {
          type: 'oauth2',
          authorize_url: `${DOCUSIGN_ACCOUNT}/oauth/auth`,
          token_url: `${DOCUSIGN_ACCOUNT}/oauth/token`,
          ...clientSecrets('docusign'),
          scopes: DOCUSIGN_SCOPES,
          scope_separator: ' ',
          client_auth: 'basic',
          pkce: true,
          post_connect: {
            method: 'GET',
            url: `${DOCUSIGN_ACCOUNT}/oauth/userinfo`,
            metadata: { account_id: 'accounts[0].account_id', base_uri: 'accounts[0].base_uri' },
          },
        },
        // JWT grant: an RSA key of the integration, consented to by the user once; the assertion's
        // audience is the bare account server host and it carries the scopes.
        jwt: {
          type: 'oauth_jwt_bearer',
          token_url: `${DOCUSIGN_ACCOUNT}/oauth/token`,
          client_id: "{{ get_secret('docusign_client_id') }}",
          private_key: "{{ get_secret('docusign_private_key') }}",
          subject: '{{ connection.config.user_id }}',
          audience: DOCUSIGN_ACCOUNT_HOST,
          additional_claims: { scope: 'signature impersonation' },
          algorithm: 'RS256',
        },
      },
    },
    test: { method: 'GET', path: '/folders', expect_status: 200 },
    // Connect (webhook) messages with HMAC enabled: base64 HMAC-SHA256 of the body with the
    // account's HMAC key, in X-DocuSign-Signature-1 (a second key signs X-DocuSign-Signature-2).
    // https://developers.docusign.com/platform/webhooks/connect/hmac/
    webhooks: {
      verify: { type: 'hmac', secret: '{{ connection.credentials.webhook_secret }}', header: 'X-DocuSign-Signature-1', algorithm: 'sha256', encoding: 'base64' },
    },
    capabilities: {
      entities: {
        envelope: {
          fields: ['envelopeId', 'status', 'emailSubject', 'sentDateTime'],
          actions: {
            list: { method: 'GET', path: '/envelopes', description: 'needs a filter such as from_date in the query' },
            read: { method: 'GET', path: '/envelopes/{{ params.envelope_id }}' },
            create: { method: 'POST', path: '/envelopes' },
          },
        },
      },
    },
  },

  // https://www.zoho.com/crm/developer/docs/api/v8/oauth-overview.html
  // https://www.zoho.com/crm/developer/docs/api/v8/multi-dc.html
  'zoho-crm': {
    name: 'Zoho CRM',
    description: `Zoho CRM REST API (${ZOHO_CRM_VERSION}) in the account's data centre`,
    domain: 'zoho.com',
    visibility: 'public',
    base_url: `https://www.zohoapis.{{ connection.config.data_centre }}/crm/${ZOHO_CRM_VERSION}`,
    allowed_hosts: [
      ...ZOHO_DATA_CENTRES.map((dc) => `www.zohoapis.${dc}`),
      ...ZOHO_DATA_CENTRES.filter((dc) => dc !== 'ca').map((dc) => `accounts.zoho.${dc}`),
      'accounts.zohocloud.ca',
    ],
    inputs: [{
      name: 'data_centre', label: 'Data centre', type: 'select', required: true, default: 'com', options: ZOHO_DATA_CENTRES,
      help: 'The domain your Zoho account is on: com (US), eu, in, com.au, jp, com.cn, ca, sa',
    }],
    auth: {
      default: 'oauth',
      methods: {
        // Offline access (a refresh token) with prompt=consent; scopes comma-separated; the code
        // exchange is a form with the client id and secret in the body. API calls carry the token
        // as `Zoho-oauthtoken <token>`.
        oauth: {
          type: 'oauth2',
          authorize_url: `${ZOHO_ACCOUNTS}/oauth/v2/auth`,
          token_url: `${ZOHO_ACCOUNTS}/oauth/v2/token`,
          ...clientSecrets('zoho_crm'),
          scopes: ['ZohoCRM.modules.ALL', 'ZohoCRM.users.READ'],
          scope_separator: ',',
          authorize_params: { access_type: 'offline', prompt: 'consent' },
          pkce: true,
          prefix: 'Zoho-oauthtoken ',
        },
      },
    },
    test: { method: 'GET', path: '/users?type=CurrentUser', expect_status: 200 },
    capabilities: {
      entities: {
        contact: {
          fields: ['id', 'First_Name', 'Last_Name', 'Email'],
          actions: {
            list: { method: 'GET', path: '/Contacts', description: 'fields=... names the fields to return' },
            read: { method: 'GET', path: '/Contacts/{{ params.id }}' },
            create: { method: 'POST', path: '/Contacts' },
          },
        },
      },
    },
  },
}
