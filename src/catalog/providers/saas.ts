/** Messaging, CRM, productivity and support SaaS APIs. */
import type { ConnectorConfig } from '../../config/schema.js'
import { apiKeyInput, bearer, clientSecrets, secretInput, subdomainInput } from '../shared.js'
import { HUBSPOT_CAPABILITIES } from '../capabilities/hubspot.js'
import { SALESFORCE_CAPABILITIES } from '../capabilities/salesforce.js'
import { SLACK_CAPABILITIES } from '../capabilities/slack.js'

/** Salesforce REST API version (three releases a year; old versions stay available for years). */
const SALESFORCE_API_VERSION = 'v62.0'
const SALESFORCE_LOGIN = 'https://login.salesforce.com'
/** The org's login host: login.salesforce.com, test.salesforce.com (sandboxes) or a My Domain host. */
const SALESFORCE_LOGIN_HOST = "https://{{ connection.config.login_host | default('login.salesforce.com') }}"
const ZENDESK = 'https://{{ connection.config.subdomain }}.zendesk.com'

export const SAAS_CONNECTORS: Record<string, ConnectorConfig> = {
  slack: {
    name: 'Slack',
    description: 'Slack Web API',
    domain: 'slack.com',
    visibility: 'public',
    base_url: 'https://slack.com/api',
    inputs: [
      secretInput('token', 'Bot token', { required: false, pattern: '^xox[a-z]-', pattern_error: 'a Slack token (xoxb-…)' }),
      secretInput('webhook_secret', 'Signing secret', { required: false, help: "The app's signing secret, to verify Events API requests" }),
    ],
    auth: {
      default: 'token',
      methods: {
        token: bearer('token'),
        // Bot token: the top-level access_token of oauth.v2.access.
        oauth: {
          type: 'oauth2',
          authorize_url: 'https://slack.com/oauth/v2/authorize',
          token_url: 'https://slack.com/api/oauth.v2.access',
          ...clientSecrets('slack'),
          scopes: ['chat:write', 'channels:read'],
          scope_separator: ',',
          pkce: false,
        },
        // User token: requested with user_scope, returned under authed_user.
        oauth_user: {
          type: 'oauth2',
          authorize_url: 'https://slack.com/oauth/v2/authorize',
          token_url: 'https://slack.com/api/oauth.v2.access',
          ...clientSecrets('slack'),
          scopes: [],
          scope_separator: ',',
          authorize_params: { user_scope: 'chat:write,channels:read' },
          token_path: 'authed_user',
          pkce: false,
        },
      },
    },
    // auth.test answers 200 even for a revoked or wrong token, with {"ok": false, "error": ...}:
    // the verdict is the body's `ok` (https://docs.slack.dev/reference/methods/auth.test).
    test: { method: 'GET', path: '/auth.test', expect_status: 200, expect_json: { ok: true } },
    capabilities: SLACK_CAPABILITIES,
    // v0 signature of v0:<timestamp>:<body>, 5-minute window:
    // https://docs.slack.dev/authentication/verifying-requests-from-slack
    webhooks: { verify: { type: 'slack', secret: '{{ connection.credentials.webhook_secret }}', tolerance: '300s' } },
  },
  hubspot: {
    name: 'HubSpot',
    description: 'HubSpot CRM and platform APIs',
    domain: 'hubspot.com',
    visibility: 'public',
    base_url: 'https://api.hubapi.com',
    inputs: [secretInput('token', 'Private app access token', { required: false })],
    auth: {
      default: 'token',
      methods: {
        token: bearer('token'),
        oauth: {
          type: 'oauth2',
          authorize_url: 'https://app.hubspot.com/oauth/authorize',
          // The date-versioned token endpoint; /oauth/v1/token is retired on 16 February 2027.
          // https://developers.hubspot.com/docs/api-reference/latest/authentication/manage-oauth-tokens
          token_url: 'https://api.hubapi.com/oauth/2026-03/token',
          ...clientSecrets('hubspot'),
          scopes: ['oauth', 'crm.objects.contacts.read', 'crm.objects.contacts.write'],
          scope_separator: ' ',
          pkce: false,
        },
      },
    },
    test: { method: 'GET', path: '/crm/v3/objects/contacts?limit=1', expect_status: 200 },
    capabilities: HUBSPOT_CAPABILITIES,
  },
  sendgrid: {
    name: 'SendGrid',
    description: 'Twilio SendGrid email API (v3)',
    domain: 'sendgrid.com',
    visibility: 'public',
    base_url: 'https://api.sendgrid.com',
    inputs: [{ ...apiKeyInput, pattern: '^SG\\.', pattern_error: 'a SendGrid API key (SG.…)' }],
    auth: { default: 'key', methods: { key: bearer('api_key') } },
    test: { method: 'GET', path: '/v3/scopes', expect_status: 200 },
  },
  notion: {
    name: 'Notion',
    description: 'Notion API',
    domain: 'notion.so',
    visibility: 'public',
    base_url: 'https://api.notion.com/v1',
    headers: { 'Notion-Version': { value: '2022-06-28', overridable: true } },
    inputs: [secretInput('token', 'Internal integration secret', { required: false })],
    auth: {
      default: 'token',
      methods: {
        token: bearer('token'),
        oauth: {
          type: 'oauth2',
          authorize_url: 'https://api.notion.com/v1/oauth/authorize',
          token_url: 'https://api.notion.com/v1/oauth/token',
          ...clientSecrets('notion'),
          scopes: [],
          authorize_params: { owner: 'user' },
          // The token request is JSON with the client id and secret as HTTP Basic.
          // https://developers.notion.com/docs/authorization
          token_format: 'json',
          client_auth: 'basic',
          pkce: false,
        },
      },
    },
    test: { method: 'GET', path: '/users/me', expect_status: 200 },
  },
  salesforce: {
    name: 'Salesforce',
    description: `Salesforce REST API (${SALESFORCE_API_VERSION}) of one org`,
    domain: 'salesforce.com',
    visibility: 'public',
    base_url: `{{ connection.config.instance_url }}/services/data/${SALESFORCE_API_VERSION}`,
    allowed_hosts: ['**.salesforce.com'],
    inputs: [
      {
        name: 'instance_url', label: 'Instance URL', type: 'url', required: false,
        pattern: '^https://[A-Za-z0-9.-]+\\.salesforce\\.com$', pattern_error: 'the org URL, such as https://acme.my.salesforce.com',
        help: 'Filled in from the token response (instance_url) with OAuth; needed with the JWT bearer flow',
      },
      {
        name: 'login_host', label: 'Login host', type: 'text', required: false, default: 'login.salesforce.com',
        pattern: '^[A-Za-z0-9][A-Za-z0-9.-]*\\.salesforce\\.com$',
        pattern_error: 'login.salesforce.com, test.salesforce.com or a My Domain host such as acme.my.salesforce.com',
        help: 'test.salesforce.com for a sandbox, or the org\'s My Domain host',
      },
      { name: 'username', label: 'Username', type: 'email', required: false, help: 'The user the JWT bearer flow acts as' },
    ],
    auth: {
      default: 'oauth',
      methods: {
        // Web server flow against the org's login host; the token response's instance_url is
        // where its API lives.
        // https://help.salesforce.com/s/articleView?id=sf.remoteaccess_oauth_web_server_flow.htm&type=5
        oauth: {
          type: 'oauth2',
          authorize_url: `${SALESFORCE_LOGIN_HOST}/services/oauth2/authorize`,
          token_url: `${SALESFORCE_LOGIN_HOST}/services/oauth2/token`,
          ...clientSecrets('salesforce'),
          scopes: ['api', 'refresh_token'],
          scope_separator: ' ',
          pkce: true,
          metadata: ['instance_url'],
        },
        // Server to server: a connected app with a certificate, pre-authorised for the user.
        jwt: {
          type: 'oauth_jwt_bearer',
          // https://help.salesforce.com/s/articleView?id=sf.remoteaccess_oauth_jwt_flow.htm&type=5
          token_url: `${SALESFORCE_LOGIN_HOST}/services/oauth2/token`,
          client_id: "{{ get_secret('salesforce_client_id') }}",
          private_key: "{{ get_secret('salesforce_private_key') }}",
          subject: '{{ connection.config.username }}',
          // login.salesforce.com, or test.salesforce.com for a sandbox (a My Domain host is not an audience).
          audience: "{% if connection.config.login_host | default('') == 'test.salesforce.com' %}https://test.salesforce.com{% else %}" + SALESFORCE_LOGIN + '{% endif %}',
          algorithm: 'RS256',
        },
      },
    },
    test: { method: 'GET', path: '/limits', expect_status: 200 },
    capabilities: SALESFORCE_CAPABILITIES,
  },
  linear: {
    name: 'Linear',
    description: 'Linear GraphQL API (POST /graphql)',
    domain: 'linear.app',
    visibility: 'public',
    base_url: 'https://api.linear.app',
    inputs: [{ ...apiKeyInput, required: false, pattern: '^lin_api_', pattern_error: 'a personal API key (lin_api_…)' }],
    auth: {
      default: 'key',
      methods: {
        // Personal API keys go in Authorization without a scheme; OAuth tokens as Bearer.
        key: { type: 'api_key', key: 'Authorization', value: '{{ connection.credentials.api_key }}' },
        oauth: {
          type: 'oauth2',
          authorize_url: 'https://linear.app/oauth/authorize',
          token_url: 'https://api.linear.app/oauth/token',
          ...clientSecrets('linear'),
          scopes: ['read', 'write'],
          scope_separator: ',',
          pkce: true,
        },
      },
    },
  },
  airtable: {
    name: 'Airtable',
    description: 'Airtable Web API',
    domain: 'airtable.com',
    visibility: 'public',
    base_url: 'https://api.airtable.com/v0',
    inputs: [secretInput('token', 'Personal access token', { required: false, pattern: '^pat', pattern_error: 'a personal access token (pat…)' })],
    auth: {
      default: 'token',
      methods: {
        token: bearer('token'),
        oauth: {
          type: 'oauth2',
          authorize_url: 'https://airtable.com/oauth2/v1/authorize',
          token_url: 'https://airtable.com/oauth2/v1/token',
          ...clientSecrets('airtable'),
          scopes: ['data.records:read', 'data.records:write', 'schema.bases:read'],
          scope_separator: ' ',
          client_auth: 'basic',
          pkce: true,
        },
      },
    },
    test: { method: 'GET', path: '/meta/whoami', expect_status: 200 },
  },
  dropbox: {
    name: 'Dropbox',
    description: 'Dropbox API v2 (RPC endpoints; content endpoints live on content.dropboxapi.com)',
    domain: 'dropbox.com',
    visibility: 'public',
    base_url: 'https://api.dropboxapi.com/2',
    inputs: [secretInput('token', 'Access token', { required: false })],
    auth: {
      default: 'oauth',
      methods: {
        oauth: {
          type: 'oauth2',
          authorize_url: 'https://www.dropbox.com/oauth2/authorize',
          token_url: 'https://api.dropboxapi.com/oauth2/token',
          ...clientSecrets('dropbox'),
          scopes: ['account_info.read', 'files.metadata.read', 'files.content.read'],
          scope_separator: ' ',
          // Short-lived access tokens; offline returns a refresh token.
          authorize_params: { token_access_type: 'offline' },
          pkce: true,
        },
        token: bearer('token'),
      },
    },
    // An RPC endpoint without arguments: POST with no body.
    test: { method: 'POST', path: '/users/get_current_account', expect_status: 200 },
  },
  box: {
    name: 'Box',
    description: 'Box Platform API 2.0',
    domain: 'box.com',
    visibility: 'public',
    base_url: 'https://api.box.com/2.0',
    inputs: [secretInput('token', 'Developer token', { required: false })],
    auth: {
      default: 'oauth',
      methods: {
        oauth: {
          type: 'oauth2',
          authorize_url: 'https://account.box.com/api/oauth2/authorize',
          token_url: 'https://api.box.com/oauth2/token',
          ...clientSecrets('box'),
          // Scopes are configured on the app; none need to be requested.
          scopes: [],
          pkce: false,
        },
        token: bearer('token'),
      },
    },
    test: { method: 'GET', path: '/users/me', expect_status: 200 },
  },
  clickup: {
    name: 'ClickUp',
    description: 'ClickUp API v2',
    domain: 'clickup.com',
    visibility: 'public',
    base_url: 'https://api.clickup.com/api/v2',
    inputs: [secretInput('token', 'Personal API token', { required: false, pattern: '^pk_', pattern_error: 'a personal token (pk_…)' })],
    auth: {
      default: 'token',
      methods: {
        // Personal tokens go in Authorization without a scheme.
        token: { type: 'api_key', key: 'Authorization', value: '{{ connection.credentials.token }}' },
        oauth: {
          type: 'oauth2',
          // Authorization code grant without PKCE or refresh tokens; the token request's
          // client_id, client_secret and code are documented as query parameters, and a form
          // body is accepted as well. https://developer.clickup.com/docs/authentication
          authorize_url: 'https://app.clickup.com/api',
          token_url: 'https://api.clickup.com/api/v2/oauth/token',
          ...clientSecrets('clickup'),
          scopes: [],
          pkce: false,
        },
      },
    },
    test: { method: 'GET', path: '/user', expect_status: 200 },
  },
  discord: {
    name: 'Discord',
    description: 'Discord HTTP API v10',
    domain: 'discord.com',
    visibility: 'public',
    base_url: 'https://discord.com/api/v10',
    inputs: [secretInput('bot_token', 'Bot token', { required: false })],
    auth: {
      default: 'bot',
      methods: {
        bot: { type: 'api_key', key: 'Authorization', value: 'Bot {{ connection.credentials.bot_token }}' },
        oauth: {
          type: 'oauth2',
          authorize_url: 'https://discord.com/oauth2/authorize',
          token_url: 'https://discord.com/api/oauth2/token',
          ...clientSecrets('discord'),
          scopes: ['identify', 'guilds'],
          scope_separator: ' ',
          pkce: false,
        },
      },
    },
    test: { method: 'GET', path: '/users/@me', expect_status: 200 },
  },
  typeform: {
    name: 'Typeform',
    description: 'Typeform Create, Responses and Webhooks APIs',
    domain: 'typeform.com',
    visibility: 'public',
    base_url: 'https://api.typeform.com',
    inputs: [secretInput('token', 'Personal access token', { required: false })],
    auth: {
      default: 'token',
      methods: {
        token: bearer('token'),
        oauth: {
          type: 'oauth2',
          authorize_url: 'https://api.typeform.com/oauth/authorize',
          token_url: 'https://api.typeform.com/oauth/token',
          ...clientSecrets('typeform'),
          scopes: ['offline', 'accounts:read', 'forms:read', 'responses:read'],
          scope_separator: ' ',
          pkce: false,
        },
      },
    },
    test: { method: 'GET', path: '/me', expect_status: 200 },
  },
  jira: {
    name: 'Jira',
    description: 'Jira Cloud platform REST API v3',
    domain: 'atlassian.com',
    visibility: 'public',
    // API tokens work against the site; OAuth 2.0 (3LO) tokens only through api.atlassian.com
    // with the site's cloud id (GET https://api.atlassian.com/oauth/token/accessible-resources).
    base_url: '{% if connection.config.cloud_id is defined %}https://api.atlassian.com/ex/jira/{{ connection.config.cloud_id }}' +
      '{% else %}https://{{ connection.config.site }}.atlassian.net{% endif %}/rest/api/3',
    allowed_hosts: ['*.atlassian.net', 'api.atlassian.com'],
    inputs: [
      { ...subdomainInput('site', 'Site', 'The part before .atlassian.net; with an API token'), required: false },
      { name: 'email', label: 'Account email', type: 'email', required: false, help: 'With an API token' },
      secretInput('api_token', 'API token', { required: false }),
      {
        name: 'cloud_id', label: 'Cloud id', type: 'text', required: false,
        pattern: '^[0-9a-fA-F-]{36}$', pattern_error: 'a cloud id (GUID)', help: 'OAuth 2.0 only: filled in after connecting',
      },
    ],
    auth: {
      default: 'token',
      methods: {
        token: { type: 'basic', username: '{{ connection.config.email }}', password: '{{ connection.credentials.api_token }}' },
        oauth: {
          type: 'oauth2',
          authorize_url: 'https://auth.atlassian.com/authorize',
          token_url: 'https://auth.atlassian.com/oauth/token',
          ...clientSecrets('jira'),
          scopes: ['read:jira-work', 'write:jira-work', 'read:jira-user', 'offline_access'],
          scope_separator: ' ',
          authorize_params: { audience: 'api.atlassian.com', prompt: 'consent' },
          // Atlassian documents the code exchange and refresh as JSON bodies; no PKCE.
          // https://developer.atlassian.com/cloud/jira/platform/oauth-2-3lo-apps/
          token_format: 'json',
          pkce: false,
          // The site the token reaches: its cloud id from accessible-resources (the first site
          // the user granted). Same page, "Get the cloudid for your site".
          post_connect: {
            method: 'GET',
            url: 'https://api.atlassian.com/oauth/token/accessible-resources',
            headers: { Accept: 'application/json' },
            metadata: { cloud_id: '[0].id' },
          },
        },
      },
    },
    test: { method: 'GET', path: '/myself', expect_status: 200 },
  },
  zendesk: {
    name: 'Zendesk',
    description: 'Zendesk Support API v2',
    domain: 'zendesk.com',
    visibility: 'public',
    base_url: `${ZENDESK}/api/v2`,
    allowed_hosts: ['*.zendesk.com'],
    inputs: [
      subdomainInput('subdomain', 'Subdomain', 'The part before .zendesk.com'),
      { name: 'email', label: 'Agent email', type: 'email', required: false, help: 'With an API token' },
      secretInput('api_token', 'API token', { required: false }),
    ],
    auth: {
      default: 'token',
      methods: {
        token: { type: 'basic', username: '{{ connection.config.email }}/token', password: '{{ connection.credentials.api_token }}' },
        oauth: {
          type: 'oauth2',
          authorize_url: `${ZENDESK}/oauth/authorizations/new`,
          token_url: `${ZENDESK}/oauth/tokens`,
          ...clientSecrets('zendesk'),
          scopes: ['read', 'write'],
          scope_separator: ' ',
          pkce: true,
          // Expiring access tokens with a refresh token: clients older than Zendesk's refresh
          // support get them only when the token request names `expires_in` (seconds; here
          // Zendesk's 30-minute default). Refreshing becomes mandatory in 2027.
          // https://developer.zendesk.com/api-reference/ticketing/oauth/grant_type_tokens/
          // https://support.zendesk.com/hc/en-us/articles/9182123625370
          token_params: { expires_in: '1800' },
          refresh_params: { expires_in: '1800' },
        },
      },
    },
    test: { method: 'GET', path: '/users/me.json', expect_status: 200 },
  },
}
