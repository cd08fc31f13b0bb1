/**
 * Work-management, design, support, scheduling, CRM and AI APIs on one public host each:
 * monday.com, Figma, Freshdesk (per-account subdomain), Anthropic, Attio, Calendly.
 */
import type { ConnectorConfig } from '../../config/schema.js'
import { apiKeyInput, bearer, clientSecrets, secretInput, subdomainInput } from '../shared.js'

/** monday.com API version (quarterly; the current stable one when this was written). */
const MONDAY_API_VERSION = '2025-10'
/** The Messages API version header every Anthropic request carries. */
const ANTHROPIC_VERSION = '2023-06-01'
const FRESHDESK = 'https://{{ connection.config.subdomain }}.freshdesk.com'

export const WORKSPACE_APP_CONNECTORS: Record<string, ConnectorConfig> = {
  // https://developer.monday.com/api-reference/docs/authentication
  // https://developer.monday.com/apps/docs/oauth
  // https://developer.monday.com/api-reference/docs/api-versioning
  monday: {
    name: 'monday.com',
    description: 'monday.com platform API (GraphQL: POST /v2 with {"query": ...})',
    domain: 'monday.com',
    visibility: 'public',
    base_url: 'https://api.monday.com',
    headers: { 'API-Version': { value: MONDAY_API_VERSION, overridable: true } },
    inputs: [
      secretInput('token', 'Personal API token', { required: false }),
      secretInput('webhook_secret', 'Signing secret', { required: false, help: "The app's Signing Secret, to verify webhook requests" }),
    ],
    auth: {
      default: 'token',
      methods: {
        // Personal tokens and OAuth tokens both go in Authorization without a scheme.
        token: { type: 'api_key', key: 'Authorization', value: '{{ connection.credentials.token }}' },
        // Authorization code grant without PKCE; tokens do not expire and there is no refresh token.
        oauth: {
          type: 'oauth2',
          authorize_url: 'https://auth.monday.com/oauth2/authorize',
          token_url: 'https://auth.monday.com/oauth2/token',
          ...clientSecrets('monday'),
          scopes: ['me:read', 'boards:read'],
          scope_separator: ' ',
          pkce: false,
          prefix: '',
        },
      },
    },
    // No `test`: every call is a GraphQL POST with a JSON body, which a test request cannot carry.
    // Authorization: a JWT signed HS256 with the app's Signing Secret (exp and iat checked);
    // the {"challenge"} sent when a webhook is created is echoed.
    // https://developer.monday.com/apps/docs/authorization-header
    // https://developer.monday.com/api-reference/docs/webhooks
    webhooks: {
      verify: { type: 'jwt', secret: '{{ connection.credentials.webhook_secret }}', handshake: 'challenge', event_id: ['body:event.triggerUuid'] },
    },
    capabilities: {
      entities: {
        board: {
          fields: ['id', 'name', 'state', 'workspace_id'],
          actions: {
            list: { method: 'POST', path: '/v2', description: 'body {"query": "{ boards(limit: 25) { id name } }"}' },
            read: { method: 'POST', path: '/v2', description: 'body {"query": "query ($ids: [ID!]) { boards(ids: $ids) { id name } }", "variables": {"ids": [...]}}' },
          },
        },
      },
    },
  },

  // https://developers.figma.com/docs/rest-api/authentication
  // https://developers.figma.com/docs/rest-api/oauth-apps
  // https://developers.figma.com/docs/rest-api/scopes
  figma: {
    name: 'Figma',
    description: 'Figma REST API',
    domain: 'figma.com',
    visibility: 'public',
    base_url: 'https://api.figma.com',
    inputs: [
      secretInput('token', 'Personal access token', { required: false, pattern: '^figd_', pattern_error: 'a personal access token (figd_…)' }),
      secretInput('webhook_secret', 'Webhook passcode', { required: false, help: 'The passcode set when the webhook was created' }),
    ],
    auth: {
      default: 'token',
      methods: {
        // Personal access tokens go in X-Figma-Token; OAuth tokens as Bearer.
        token: { type: 'api_key', key: 'X-Figma-Token', value: '{{ connection.credentials.token }}' },
        // Authorize on www.figma.com, exchange on api.figma.com with HTTP Basic client auth;
        // scopes comma-separated.
        oauth: {
          type: 'oauth2',
          authorize_url: 'https://www.figma.com/oauth',
          token_url: 'https://api.figma.com/v1/oauth/token',
          ...clientSecrets('figma'),
          scopes: ['current_user:read', 'file_content:read', 'projects:read'],
          scope_separator: ',',
          client_auth: 'basic',
          pkce: false,
        },
      },
    },
    test: { method: 'GET', path: '/v1/me', expect_status: 200 },
    // The body's passcode is the one set on the webhook (compared constant-time, removed before
    // forwarding); event id: webhook_id and timestamp.
    // https://developers.figma.com/docs/rest-api/webhooks-security
    // https://developers.figma.com/docs/rest-api/webhooks-types
    webhooks: {
      verify: { type: 'token', secret: '{{ connection.credentials.webhook_secret }}', field: 'passcode', event_id: ['body:webhook_id', 'body:timestamp'] },
    },
    capabilities: {
      entities: {
        file: {
          fields: ['key', 'name', 'thumbnail_url', 'last_modified'],
          actions: {
            list: { method: 'GET', path: '/v1/projects/{{ params.project_id }}/files' },
            read: { method: 'GET', path: '/v1/files/{{ params.file_key }}' },
          },
        },
      },
    },
  },

  // https://developers.freshdesk.com/api/#authentication
  // https://developers.freshdesk.com/api/#tickets
  freshdesk: {
    name: 'Freshdesk',
    description: 'Freshdesk API v2 of one helpdesk',
    domain: 'freshdesk.com',
    visibility: 'public',
    base_url: `${FRESHDESK}/api/v2`,
    allowed_hosts: ['*.freshdesk.com'],
    inputs: [
      subdomainInput('subdomain', 'Helpdesk subdomain', 'The part before .freshdesk.com'),
      { ...apiKeyInput, help: 'Profile settings > View API key' },
    ],
    auth: {
      default: 'key',
      // The API key is the Basic username; the password is any fixed value ("X").
      methods: { key: { type: 'basic', username: '{{ connection.credentials.api_key }}', password: 'X' } },
    },
    test: { method: 'GET', path: '/agents/me', expect_status: 200 },
    capabilities: {
      entities: {
        ticket: {
          fields: ['id', 'subject', 'status', 'priority', 'requester_id'],
          actions: {
            list: { method: 'GET', path: '/tickets' },
            read: { method: 'GET', path: '/tickets/{{ params.id }}' },
            create: { method: 'POST', path: '/tickets' },
          },
        },
      },
    },
  },

  // https://docs.anthropic.com/en/api/overview (x-api-key, anthropic-version)
  // https://docs.anthropic.com/en/api/models-list
  anthropic: {
    name: 'Anthropic',
    description: 'Anthropic API (Messages, Models, Message Batches)',
    domain: 'anthropic.com',
    visibility: 'public',
    base_url: 'https://api.anthropic.com',
    headers: { 'anthropic-version': { value: ANTHROPIC_VERSION, overridable: true } },
    inputs: [{ ...apiKeyInput, pattern: '^sk-ant-', pattern_error: 'an API key (sk-ant-…)' }],
    auth: { default: 'key', methods: { key: { type: 'api_key', key: 'x-api-key', value: '{{ connection.credentials.api_key }}' } } },
    test: { method: 'GET', path: '/v1/models?limit=1', expect_status: 200 },
    capabilities: {
      entities: {
        model: {
          fields: ['id', 'display_name', 'created_at'],
          actions: {
            list: { method: 'GET', path: '/v1/models' },
            read: { method: 'GET', path: '/v1/models/{{ params.model_id }}' },
          },
        },
        message: {
          fields: ['id', 'model', 'content', 'stop_reason', 'usage'],
          actions: { create: { method: 'POST', path: '/v1/messages' } },
        },
      },
    },
  },

  // https://docs.attio.com/rest-api/guides/authentication
  // https://docs.attio.com/docs/oauth/authorize, https://docs.attio.com/docs/oauth/token
  attio: {
    name: 'Attio',
    description: 'Attio REST API v2',
    domain: 'attio.com',
    visibility: 'public',
    base_url: 'https://api.attio.com/v2',
    inputs: [
      secretInput('token', 'API key (workspace access token)', { required: false }),
      secretInput('webhook_secret', 'Webhook secret', { required: false, help: 'The secret Attio returned when the webhook was created' }),
    ],
    auth: {
      default: 'token',
      methods: {
        token: bearer('token'),
        // Scopes are set on the app, not requested; the code exchange is a form with the client
        // id and secret in the body; tokens do not expire and come without a refresh token.
        oauth: {
          type: 'oauth2',
          authorize_url: 'https://app.attio.com/authorize',
          token_url: 'https://app.attio.com/oauth/token',
          ...clientSecrets('attio'),
          scopes: [],
          pkce: false,
        },
      },
    },
    // /self answers for any token; `active` says whether it is valid.
    test: { method: 'GET', path: '/self', expect_status: 200, expect_json: { active: true } },
    // Hex HMAC-SHA256 of the body with the webhook's secret, in Attio-Signature.
    // https://docs.attio.com/rest-api/guides/webhooks
    webhooks: {
      verify: { type: 'hmac', secret: '{{ connection.credentials.webhook_secret }}', header: 'Attio-Signature', algorithm: 'sha256', encoding: 'hex' },
    },
    capabilities: {
      entities: {
        record: {
          fields: ['id', 'values', 'created_at'],
          actions: {
            list: { method: 'POST', path: '/objects/{{ params.object }}/records/query', description: 'object: people, companies, deals or a custom object slug' },
            read: { method: 'GET', path: '/objects/{{ params.object }}/records/{{ params.record_id }}' },
            create: { method: 'POST', path: '/objects/{{ params.object }}/records' },
          },
        },
      },
    },
  },

  // https://developer.calendly.com/how-to-access-calendly-data-on-behalf-of-authenticated-users
  // https://developer.calendly.com/api-docs/calendly-o-auth/o-auth/get-oauth-authorize
  // https://developer.calendly.com/docs/authentication/scopes
  calendly: {
    name: 'Calendly',
    description: 'Calendly API v2',
    domain: 'calendly.com',
    visibility: 'public',
    base_url: 'https://api.calendly.com',
    inputs: [
      secretInput('token', 'Personal access token', { required: false }),
      secretInput('webhook_secret', 'Webhook signing key', { required: false, help: "The subscription's signing_key (or the OAuth app's webhook signing key)" }),
    ],
    auth: {
      default: 'token',
      methods: {
        token: bearer('token'),
        // PKCE (S256) is what Calendly asks of every OAuth app; the code exchange is a form with
        // the client id and secret in the body; access tokens last 2 hours, refresh tokens rotate.
        oauth: {
          type: 'oauth2',
          authorize_url: 'https://auth.calendly.com/oauth/authorize',
          token_url: 'https://auth.calendly.com/oauth/token',
          ...clientSecrets('calendly'),
          scopes: ['users:read', 'scheduled_events:read'],
          scope_separator: ' ',
          pkce: true,
        },
      },
    },
    test: { method: 'GET', path: '/users/me', expect_status: 200 },
    // Calendly-Webhook-Signature: t=<unix>,v1=<hex HMAC-SHA256 of "t.body"> (Stripe's format in
    // Calendly's header), keyed with the signing key; Calendly suggests a 3-minute tolerance.
    // https://developer.calendly.com/api-docs/overview/webhooks/webhook-signatures
    webhooks: {
      verify: { type: 'stripe', secret: '{{ connection.credentials.webhook_secret }}', header: 'Calendly-Webhook-Signature', tolerance: '180s' },
    },
    capabilities: {
      entities: {
        scheduled_event: {
          fields: ['uri', 'name', 'status', 'start_time', 'end_time'],
          actions: {
            list: { method: 'GET', path: '/scheduled_events', description: 'needs user= or organization= (a URI from /users/me)' },
            read: { method: 'GET', path: '/scheduled_events/{{ params.uuid }}' },
          },
        },
      },
    },
  },
}
