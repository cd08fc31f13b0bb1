/**
 * Customer communication, sales and marketing: Intercom, Pipedrive, Mailchimp.
 * Each entry cites the provider documentation its values come from.
 */
import type { ConnectorConfig } from '../../config/schema.js'
import { bearer, clientSecrets, secretInput, subdomainInput } from '../shared.js'

/**
 * Intercom hosts a workspace in the US, the EU or Australia; each region has its own app and
 * API hosts (app.eu.intercom.com, api.eu.intercom.io, ...), and the US ones have no region label.
 * https://developers.intercom.com/building-apps/docs/rest-apis
 */
const INTERCOM_REGION = "{% if connection.config.region | default('us') != 'us' %}.{{ connection.config.region }}{% endif %}"
const INTERCOM_VERSION = '2.14'

export const CUSTOMER_CONNECTORS: Record<string, ConnectorConfig> = {
  // https://developers.intercom.com/building-apps/docs/setting-up-oauth (authorize at app.intercom.com/oauth,
  //   code exchange at /auth/eagle/token with client_id, client_secret and code; tokens do not expire;
  //   permissions are chosen on the app, not requested)
  // https://developers.intercom.com/building-apps/docs/rest-apis (regional hosts)
  // https://developers.intercom.com/docs/build-an-integration/learn-more/rest-apis/api-versioning (Intercom-Version)
  intercom: {
    name: 'Intercom',
    description: `Intercom REST API (version ${INTERCOM_VERSION}) of one workspace`,
    domain: 'intercom.com',
    visibility: 'public',
    base_url: `https://api${INTERCOM_REGION}.intercom.io`,
    allowed_hosts: ['api.intercom.io', 'api.eu.intercom.io', 'api.au.intercom.io', 'app.intercom.com', 'app.eu.intercom.com', 'app.au.intercom.com'],
    headers: { Accept: 'application/json', 'Intercom-Version': { value: INTERCOM_VERSION, overridable: true } },
    inputs: [
      {
        name: 'region', label: 'Region', type: 'select', required: false, default: 'us', options: ['us', 'eu', 'au'],
        help: 'Where the workspace is hosted: eu for app.eu.intercom.com, au for app.au.intercom.com',
      },
      secretInput('token', 'Access token', { required: false, help: 'From the Developer Hub app of your own workspace; not needed with OAuth' }),
    ],
    auth: {
      default: 'oauth',
      methods: {
        oauth: {
          type: 'oauth2',
          authorize_url: `https://app${INTERCOM_REGION}.intercom.com/oauth`,
          token_url: `https://api${INTERCOM_REGION}.intercom.io/auth/eagle/token`,
          ...clientSecrets('intercom'),
          scopes: [],
          pkce: false,
        },
        token: bearer('token'),
      },
    },
    // https://developers.intercom.com/docs/references/rest-api/api.intercom.io/admins/identifyadmin
    test: { method: 'GET', path: '/me', expect_status: 200 },
    // Webhook notifications carry X-Hub-Signature: sha1=<hex HMAC-SHA1 of the body>, keyed with
    // the app's client secret. https://developers.intercom.com/docs/webhooks/webhook-notifications
    webhooks: {
      verify: { type: 'hmac', secret: "{{ get_secret('intercom_client_secret') }}", header: 'X-Hub-Signature', algorithm: 'sha1', encoding: 'hex', prefix: 'sha1=' },
    },
    capabilities: {
      entities: {
        contact: {
          fields: ['id', 'role', 'email', 'name', 'external_id'],
          actions: {
            // https://developers.intercom.com/docs/references/rest-api/api.intercom.io/contacts
            list: { method: 'GET', path: '/contacts' },
            read: { method: 'GET', path: '/contacts/{{ params.id }}' },
            create: { method: 'POST', path: '/contacts' },
          },
        },
        conversation: {
          fields: ['id', 'title', 'state', 'open'],
          actions: {
            list: { method: 'GET', path: '/conversations' },
            read: { method: 'GET', path: '/conversations/{{ params.id }}' },
          },
        },
      },
    },
  },

  // https://pipedrive.readme.io/docs/marketplace-oauth-authorization (authorize and token at
  //   oauth.pipedrive.com, HTTP Basic client auth, the answer's api_domain is the company's API host)
  // https://pipedrive.readme.io/docs/core-api-concepts-authentication (api_token query parameter)
  pipedrive: {
    name: 'Pipedrive',
    description: 'Pipedrive API of one company (v1 and v2 under /api)',
    domain: 'pipedrive.com',
    visibility: 'public',
    base_url: '{% if connection.config.api_domain is defined %}{{ connection.config.api_domain }}' +
      '{% else %}https://{{ connection.config.company_domain }}.pipedrive.com{% endif %}/api',
    allowed_hosts: ['*.pipedrive.com'],
    inputs: [
      { ...subdomainInput('company_domain', 'Company domain', 'The part before .pipedrive.com; with an API token'), required: false },
      secretInput('api_token', 'API token', { required: false, help: 'Personal preferences > API; not needed with OAuth' }),
      {
        name: 'api_domain', label: 'API domain', type: 'url', required: false,
        pattern: '^https://[a-z0-9][a-z0-9-]*\\.pipedrive\\.com$', pattern_error: 'the company URL, such as https://acme.pipedrive.com',
        help: 'OAuth only: filled in from the token response (api_domain)',
      },
    ],
    auth: {
      default: 'oauth',
      methods: {
        oauth: {
          type: 'oauth2',
          authorize_url: 'https://oauth.pipedrive.com/oauth/authorize',
          token_url: 'https://oauth.pipedrive.com/oauth/token',
          ...clientSecrets('pipedrive'),
          // Scopes are chosen on the app in Developer Hub.
          scopes: [],
          client_auth: 'basic',
          pkce: false,
          metadata: ['api_domain'],
        },
        token: { type: 'api_key', key: 'api_token', value: '{{ connection.credentials.api_token }}', in: 'query' },
      },
    },
    // https://developers.pipedrive.com/docs/api/v1/Users#getCurrentUser
    test: { method: 'GET', path: '/v1/users/me', expect_status: 200 },
    capabilities: {
      entities: {
        deal: {
          fields: ['id', 'title', 'value', 'currency', 'status', 'stage_id'],
          actions: {
            // https://developers.pipedrive.com/docs/api/v1/Deals (v2 endpoints)
            list: { method: 'GET', path: '/v2/deals' },
            read: { method: 'GET', path: '/v2/deals/{{ params.id }}' },
            create: { method: 'POST', path: '/v2/deals' },
          },
        },
        person: {
          fields: ['id', 'name', 'emails', 'phones'],
          actions: {
            list: { method: 'GET', path: '/v2/persons' },
            read: { method: 'GET', path: '/v2/persons/{{ params.id }}' },
          },
        },
      },
    },
  },

  // https://mailchimp.com/developer/marketing/guides/access-user-data-oauth-2/ (authorize, token,
  //   no scopes, tokens that do not expire, the account's data centre from /oauth2/metadata)
  // https://mailchimp.com/developer/marketing/docs/fundamentals/ (https://<dc>.api.mailchimp.com/3.0,
  //   an API key as HTTP Basic password with any user name, its data centre after the dash)
  mailchimp: {
    name: 'Mailchimp',
    description: 'Mailchimp Marketing API 3.0',
    domain: 'mailchimp.com',
    visibility: 'public',
    base_url: 'https://{{ connection.config.dc }}.api.mailchimp.com/3.0',
    allowed_hosts: ['*.api.mailchimp.com'],
    inputs: [
      {
        name: 'dc', label: 'Data centre', type: 'text', required: false, pattern: '^[a-z]+[0-9]+$', pattern_error: 'a data centre such as us6',
        help: 'With an API key: the part after the dash at its end (us6); filled in after connecting with OAuth',
      },
      secretInput('api_key', 'API key', { required: false, pattern: '-[a-z]+[0-9]+$', pattern_error: 'a Mailchimp API key (…-us6)' }),
    ],
    auth: {
      default: 'oauth',
      methods: {
        oauth: {
          type: 'oauth2',
          authorize_url: 'https://login.mailchimp.com/oauth2/authorize',
          token_url: 'https://login.mailchimp.com/oauth2/token',
          ...clientSecrets('mailchimp'),
          scopes: [],
          pkce: false,
          // The token does not name its data centre; the metadata endpoint does. Mailchimp's guide
          // shows `Authorization: OAuth <token>` there; the Bearer form the Marketing API takes is
          // accepted too (post_connect sends the method's own header).
          post_connect: {
            method: 'GET',
            url: 'https://login.mailchimp.com/oauth2/metadata',
            metadata: { dc: 'dc' },
          },
        },
        // Any user name; the key is the password.
        key: { type: 'basic', username: 'latchkey', password: '{{ connection.credentials.api_key }}' },
      },
    },
    // https://mailchimp.com/developer/marketing/api/ping/
    test: { method: 'GET', path: '/ping', expect_status: 200 },
    capabilities: {
      entities: {
        audience: {
          fields: ['id', 'name', 'stats'],
          actions: {
            // https://mailchimp.com/developer/marketing/api/lists/
            list: { method: 'GET', path: '/lists' },
            read: { method: 'GET', path: '/lists/{{ params.id }}' },
          },
        },
        member: {
          fields: ['id', 'email_address', 'status'],
          actions: {
            // https://mailchimp.com/developer/marketing/api/list-members/ (id: the MD5 of the lower-cased email)
            list: { method: 'GET', path: '/lists/{{ params.list_id }}/members' },
            read: { method: 'GET', path: '/lists/{{ params.list_id }}/members/{{ params.id }}' },
            create: { method: 'POST', path: '/lists/{{ params.list_id }}/members' },
          },
        },
      },
    },
  },
}
