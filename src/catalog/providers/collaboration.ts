/**
 * Collaboration and meetings: Microsoft Teams (through Graph), Confluence, Asana, Zoom, Trello.
 * Each entry cites the provider documentation its values come from.
 */
import type { ConnectorConfig } from '../../config/schema.js'
import { bearer, clientSecrets, MICROSOFT_HOSTS, microsoftAppOnly, microsoftOAuth, microsoftTenantInput, secretInput, subdomainInput } from '../shared.js'

/**
 * Confluence: API tokens work against the site, OAuth 2.0 (3LO) tokens only through
 * api.atlassian.com with the site's cloud id, exactly as for Jira.
 * https://developer.atlassian.com/cloud/confluence/oauth-2-3lo-apps/
 */
const CONFLUENCE_BASE = '{% if connection.config.cloud_id is defined %}https://api.atlassian.com/ex/confluence/{{ connection.config.cloud_id }}' +
  '{% else %}https://{{ connection.config.site }}.atlassian.net{% endif %}/wiki'

export const COLLABORATION_CONNECTORS: Record<string, ConnectorConfig> = {
  // https://learn.microsoft.com/en-us/graph/teams-concept-overview
  // https://learn.microsoft.com/en-us/graph/api/teams-list (GET /teams: Team.ReadBasic.All, delegated or application)
  // https://learn.microsoft.com/en-us/graph/api/channel-list (Channel.ReadBasic.All / ChannelSettings.Read.All)
  'microsoft-teams': {
    name: 'Microsoft Teams',
    description: 'Teams, channels and messages through Microsoft Graph v1.0',
    domain: 'microsoft.com',
    visibility: 'public',
    base_url: 'https://graph.microsoft.com/v1.0',
    allowed_hosts: MICROSOFT_HOSTS,
    inputs: [
      microsoftTenantInput,
      secretInput('webhook_secret', 'Change notification clientState', { required: false, help: 'The clientState set on your Graph subscriptions, to verify their notifications' }),
    ],
    auth: {
      default: 'oauth',
      methods: {
        oauth: microsoftOAuth('microsoft_teams', ['User.Read', 'Team.ReadBasic.All', 'Channel.ReadBasic.All', 'ChannelMessage.Send', 'Chat.ReadWrite']),
        // Application permissions, for a specific tenant (not `common`).
        app: microsoftAppOnly('microsoft_teams'),
      },
    },
    // Not under /me, so the test runs with an app-only token too (as for microsoft-graph):
    // https://learn.microsoft.com/en-us/graph/api/organization-get
    test: { method: 'GET', path: '/organization?$select=id', expect_status: 200 },
    // Graph change notifications: the subscription is validated with ?validationToken= (echoed
    // as text/plain within 10 s); then every notification in value[] carries the subscription's
    // clientState, removed before the event is forwarded.
    // https://learn.microsoft.com/en-us/graph/change-notifications-delivery-webhooks
    webhooks: {
      verify: { type: 'token', secret: '{{ connection.credentials.webhook_secret }}', field: 'value[].clientState', handshake: 'validation_token' },
    },
    capabilities: {
      entities: {
        team: {
          fields: ['id', 'displayName', 'description'],
          actions: {
            list: { method: 'GET', path: '/teams' },
            read: { method: 'GET', path: '/teams/{{ params.id }}' },
          },
        },
        channel: {
          fields: ['id', 'displayName', 'membershipType'],
          actions: {
            list: { method: 'GET', path: '/teams/{{ params.team_id }}/channels' },
            read: { method: 'GET', path: '/teams/{{ params.team_id }}/channels/{{ params.id }}' },
            // https://learn.microsoft.com/en-us/graph/api/chatmessage-post (ChannelMessage.Send)
            send: { method: 'POST', path: '/teams/{{ params.team_id }}/channels/{{ params.id }}/messages' },
          },
        },
      },
    },
  },

  // https://developer.atlassian.com/cloud/confluence/oauth-2-3lo-apps/ (authorize, token, accessible-resources)
  // https://developer.atlassian.com/cloud/confluence/rest/v2/intro/ (REST API v2 under /wiki/api/v2)
  // https://developer.atlassian.com/cloud/confluence/basic-auth-for-rest-apis/ (email + API token)
  // https://developer.atlassian.com/cloud/confluence/scopes-for-oauth-2-3LO-and-forge-apps/ (granular scopes for v2)
  confluence: {
    name: 'Confluence',
    description: 'Confluence Cloud REST API (v2 at /api/v2, v1 at /rest/api)',
    domain: 'atlassian.com',
    visibility: 'public',
    base_url: CONFLUENCE_BASE,
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
          ...clientSecrets('confluence'),
          // The v2 API takes granular scopes only.
          scopes: ['read:space:confluence', 'read:page:confluence', 'write:page:confluence', 'offline_access'],
          scope_separator: ' ',
          authorize_params: { audience: 'api.atlassian.com', prompt: 'consent' },
          // JSON code exchange and refresh, client credentials in the body, no PKCE.
          token_format: 'json',
          pkce: false,
          post_connect: {
            method: 'GET',
            url: 'https://api.atlassian.com/oauth/token/accessible-resources',
            headers: { Accept: 'application/json' },
            metadata: { cloud_id: '[0].id' },
          },
        },
      },
    },
    // https://developer.atlassian.com/cloud/confluence/rest/v2/api-group-space/#api-spaces-get
    test: { method: 'GET', path: '/api/v2/spaces?limit=1', expect_status: 200 },
    capabilities: {
      entities: {
        page: {
          fields: ['id', 'title', 'spaceId', 'status'],
          actions: {
            // https://developer.atlassian.com/cloud/confluence/rest/v2/api-group-page/
            list: { method: 'GET', path: '/api/v2/pages' },
            read: { method: 'GET', path: '/api/v2/pages/{{ params.id }}' },
            create: { method: 'POST', path: '/api/v2/pages' },
          },
        },
        space: {
          fields: ['id', 'key', 'name'],
          actions: {
            list: { method: 'GET', path: '/api/v2/spaces' },
            read: { method: 'GET', path: '/api/v2/spaces/{{ params.id }}' },
          },
        },
      },
    },
  },

  // https://developers.asana.com/docs/oauth (authorize, token, PKCE with S256)
  // https://developers.asana.com/docs/oauth-scopes (granular <resource>:<action> scopes)
  // https://developers.asana.com/docs/personal-access-token (Bearer)
  asana: {
    name: 'Asana',
    description: 'Asana REST API 1.0',
    domain: 'asana.com',
    visibility: 'public',
    base_url: 'https://app.asana.com/api/1.0',
    inputs: [secretInput('token', 'Personal access token', { required: false })],
    auth: {
      default: 'oauth',
      methods: {
        oauth: {
          type: 'oauth2',
          authorize_url: 'https://app.asana.com/-/oauth_authorize',
          token_url: 'https://app.asana.com/-/oauth_token',
          ...clientSecrets('asana'),
          // Granular scopes; an app registered for "Full permissions" requests `default` instead
          // (the two modes exclude each other): override `scopes` through `extends`.
          scopes: ['users:read', 'workspaces:read', 'projects:read', 'tasks:read', 'tasks:write'],
          scope_separator: ' ',
          pkce: true,
        },
        token: bearer('token'),
      },
    },
    // https://developers.asana.com/reference/getuser (users:read)
    test: { method: 'GET', path: '/users/me', expect_status: 200 },
    // X-Hook-Signature: hex HMAC-SHA256 of the body, keyed with the secret Asana sends once in
    // the X-Hook-Secret handshake; taken only through an admin-armed one-time URL (README).
    // https://developers.asana.com/docs/webhooks-guide
    webhooks: {
      verify: { type: 'hmac', header: 'X-Hook-Signature', algorithm: 'sha256', encoding: 'hex', handshake: 'hook_secret' },
    },
    capabilities: {
      entities: {
        // GET /tasks needs a filter: project, or assignee with workspace (query).
        // https://developers.asana.com/reference/gettasks
        task: {
          fields: ['gid', 'name', 'completed', 'assignee', 'due_on'],
          actions: {
            list: { method: 'GET', path: '/tasks' },
            read: { method: 'GET', path: '/tasks/{{ params.id }}' },
            create: { method: 'POST', path: '/tasks' },
          },
        },
        project: {
          fields: ['gid', 'name'],
          actions: {
            list: { method: 'GET', path: '/projects' },
            read: { method: 'GET', path: '/projects/{{ params.id }}' },
          },
        },
      },
    },
  },

  // https://developers.zoom.us/docs/integrations/oauth/ (authorize at zoom.us, token with HTTP Basic client auth)
  // https://developers.zoom.us/docs/integrations/PKCE/ (PKCE supported)
  // https://developers.zoom.us/docs/api/ (REST API v2 at api.zoom.us)
  zoom: {
    name: 'Zoom',
    description: 'Zoom REST API v2',
    domain: 'zoom.us',
    visibility: 'public',
    base_url: 'https://api.zoom.us/v2',
    inputs: [secretInput('webhook_secret', 'Webhook secret token', { required: false, help: "The app's Secret Token (Features > Access), to verify event notifications" })],
    auth: {
      default: 'oauth',
      methods: {
        oauth: {
          type: 'oauth2',
          authorize_url: 'https://zoom.us/oauth/authorize',
          token_url: 'https://zoom.us/oauth/token',
          ...clientSecrets('zoom'),
          // Scopes are chosen on the app in the Zoom Marketplace; none need to be requested.
          scopes: [],
          client_auth: 'basic',
          pkce: true,
        },
      },
    },
    // https://developers.zoom.us/docs/api/users/#tag/users/GET/users/{userId} (userId "me")
    test: { method: 'GET', path: '/users/me', expect_status: 200 },
    // x-zm-signature: v0=<hex HMAC-SHA256 of "v0:{x-zm-request-timestamp}:{body}"> (Slack's
    // scheme in Zoom's headers), and the endpoint.url_validation challenge answered here.
    // https://developers.zoom.us/docs/api/webhooks/
    webhooks: {
      verify: {
        type: 'slack', secret: '{{ connection.credentials.webhook_secret }}', tolerance: '300s',
        header: 'x-zm-signature', timestamp_header: 'x-zm-request-timestamp', handshake: 'zoom_url_validation',
      },
    },
    capabilities: {
      entities: {
        meeting: {
          fields: ['id', 'uuid', 'topic', 'start_time', 'duration', 'join_url'],
          actions: {
            // https://developers.zoom.us/docs/api/meetings/#tag/meetings/GET/users/{userId}/meetings
            list: { method: 'GET', path: '/users/me/meetings' },
            read: { method: 'GET', path: '/meetings/{{ params.id }}' },
            create: { method: 'POST', path: '/users/me/meetings' },
          },
        },
      },
    },
  },

  // https://developer.atlassian.com/cloud/trello/guides/rest-api/api-introduction/ (key and token)
  // https://developer.atlassian.com/cloud/trello/guides/rest-api/authorization/ (OAuth 1.0a, HMAC-SHA1)
  trello: {
    name: 'Trello',
    description: 'Trello REST API 1',
    domain: 'trello.com',
    visibility: 'public',
    base_url: 'https://api.trello.com/1',
    inputs: [
      {
        name: 'api_key', label: 'API key', type: 'text', required: true,
        pattern: '^[0-9a-f]{32}$', pattern_error: 'the 32-character API key of your Trello Power-Up',
        help: 'The Power-Up\'s API key (the OAuth consumer key)',
      },
      secretInput('token', 'Token', { help: 'The member\'s token (the OAuth access token)' }),
      secretInput('api_secret', 'API secret', { required: false, help: 'OAuth 1.0a only: the Power-Up\'s secret (consumer secret)' }),
      secretInput('token_secret', 'Token secret', { required: false, help: 'OAuth 1.0a only: the token\'s secret' }),
    ],
    auth: {
      default: 'key',
      methods: {
        // Key and token as query parameters, replacing any the caller sent.
        key: { type: 'custom', query: { key: '{{ connection.config.api_key }}', token: '{{ connection.credentials.token }}' } },
        // Requests signed with the consumer secret and the token secret.
        oauth1: {
          type: 'oauth1',
          consumer_key: '{{ connection.config.api_key }}',
          consumer_secret: '{{ connection.credentials.api_secret }}',
          token: '{{ connection.credentials.token }}',
          token_secret: '{{ connection.credentials.token_secret }}',
          signature_method: 'HMAC-SHA1',
        },
      },
    },
    // https://developer.atlassian.com/cloud/trello/rest/api-group-members/#api-members-id-get
    test: { method: 'GET', path: '/members/me', expect_status: 200 },
    // X-Trello-Webhook: base64 HMAC-SHA1 of the body then the callback URL (this endpoint's
    // public URL), keyed with the app secret; the HEAD check on creation is answered 200.
    // https://developer.atlassian.com/cloud/trello/guides/rest-api/webhooks/
    webhooks: {
      verify: {
        type: 'url_hmac', secret: '{{ connection.credentials.api_secret }}', header: 'X-Trello-Webhook', signed: 'body_and_url',
        handshake: 'head', event_id: ['body:action.id'],
      },
    },
    capabilities: {
      entities: {
        board: {
          fields: ['id', 'name', 'url', 'closed'],
          actions: {
            list: { method: 'GET', path: '/members/me/boards' },
            read: { method: 'GET', path: '/boards/{{ params.id }}' },
          },
        },
        card: {
          fields: ['id', 'name', 'idList', 'due'],
          actions: {
            // https://developer.atlassian.com/cloud/trello/rest/api-group-cards/
            list: { method: 'GET', path: '/boards/{{ params.board_id }}/cards' },
            read: { method: 'GET', path: '/cards/{{ params.id }}' },
            create: { method: 'POST', path: '/cards' },
          },
        },
      },
    },
  },
}
