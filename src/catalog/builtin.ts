/**
 * Connectors shipped with latchkey, usable by slug in `connections.<id>.connector` or as
 * `extends`. Each entry is plain config, validated by the same schema as the YAML at start-up
 * (test/unit/catalog/builtin-catalog.test.ts), so a catalog entry can never be something a user could not write.
 *
 * Provider values (base URLs, authorize/token URLs, scope separators) follow each provider's
 * public API documentation. The entries beyond the four below live in ./providers/*.ts, grouped
 * by kind; shared pieces (Google and Microsoft OAuth, inputs) in ./shared.ts.
 */
import type { ConnectorConfig } from '../config/schema.js'
import { ACCOUNTING_CONNECTORS } from './providers/accounting.js'
import { COLLABORATION_CONNECTORS } from './providers/collaboration.js'
import { CUSTOMER_CONNECTORS } from './providers/customer.js'
import { DEVELOPER_CONNECTORS } from './providers/developer.js'
import { GOOGLE_CONNECTORS } from './providers/google.js'
import { MICROSOFT_CONNECTORS } from './providers/microsoft.js'
import { SAAS_CONNECTORS } from './providers/saas.js'
import { ENTERPRISE_CONNECTORS } from './providers/enterprise.js'
import { WORKSPACE_APP_CONNECTORS } from './providers/workspace-apps.js'
import { apiKeyInput, bearer, clientSecrets, secretInput } from './shared.js'
import { GITHUB_CAPABILITIES } from './capabilities/github.js'
import { STRIPE_CAPABILITIES } from './capabilities/stripe.js'

export const BUILTIN_CONNECTORS: Readonly<Record<string, ConnectorConfig>> = {
  http: {
    name: 'HTTP',
    description: 'Any HTTP API: base URL and credentials supplied per connection',
    visibility: 'public',
    base_url: '{{ connection.config.base_url }}',
    // Any host, because the connection names it; private addresses stay refused unless
    // server.allow_private_upstreams is set.
    allowed_hosts: ['**'],
    inputs: [
      { name: 'base_url', label: 'Base URL', type: 'url', required: true, pattern: '^https?://.+' },
      { name: 'token', label: 'Bearer token', type: 'password', required: false },
    ],
    auth: {
      default: 'none',
      methods: {
        none: { type: 'none' },
        bearer: bearer('token'),
      },
    },
  },
  github: {
    name: 'GitHub',
    description: 'GitHub REST API',
    domain: 'github.com',
    visibility: 'public',
    base_url: 'https://api.github.com',
    headers: { Accept: 'application/vnd.github+json', 'X-GitHub-Api-Version': '2022-11-28' },
    inputs: [
      { name: 'token', label: 'Personal access token', type: 'password', required: true },
      secretInput('webhook_secret', 'Webhook secret', { required: false, help: 'The secret set on the webhook, to verify its deliveries' }),
    ],
    auth: {
      default: 'token',
      methods: {
        token: bearer('token'),
        oauth: {
          type: 'oauth2',
          authorize_url: 'https://github.com/login/oauth/authorize',
          token_url: 'https://github.com/login/oauth/access_token',
          ...clientSecrets('github'),
          scopes: ['repo', 'read:user'],
          scope_separator: ' ',
          pkce: true,
        },
      },
    },
    test: { method: 'GET', path: '/user', expect_status: 200 },
    capabilities: GITHUB_CAPABILITIES,
    // X-Hub-Signature-256: https://docs.github.com/en/webhooks/using-webhooks/validating-webhook-deliveries
    webhooks: { verify: { type: 'github', secret: '{{ connection.credentials.webhook_secret }}', tolerance: '300s' } },
  },
  stripe: {
    name: 'Stripe',
    description: 'Stripe payments API',
    domain: 'stripe.com',
    visibility: 'public',
    base_url: 'https://api.stripe.com',
    inputs: [
      { ...apiKeyInput, label: 'Secret key', pattern: '^(sk|rk)_(test|live)_[A-Za-z0-9]+$', pattern_error: 'a secret or restricted key (sk_… or rk_…)' },
      secretInput('webhook_secret', 'Webhook signing secret', { required: false, help: "The endpoint's whsec_… secret, to verify its events" }),
    ],
    auth: { default: 'key', methods: { key: bearer('api_key') } },
    test: { method: 'GET', path: '/v1/balance', expect_status: 200 },
    capabilities: STRIPE_CAPABILITIES,
    // Stripe-Signature (t=…,v1=…), 5 minutes as Stripe's libraries: https://docs.stripe.com/webhooks#verify-manually
    webhooks: { verify: { type: 'stripe', secret: '{{ connection.credentials.webhook_secret }}', tolerance: '300s' } },
  },
  openai: {
    name: 'OpenAI',
    description: 'OpenAI API',
    domain: 'openai.com',
    visibility: 'public',
    base_url: 'https://api.openai.com',
    inputs: [apiKeyInput],
    auth: { default: 'key', methods: { key: bearer('api_key') } },
    test: { method: 'GET', path: '/v1/models', expect_status: 200 },
  },
  ...ACCOUNTING_CONNECTORS,
  ...GOOGLE_CONNECTORS,
  ...MICROSOFT_CONNECTORS,
  ...SAAS_CONNECTORS,
  ...COLLABORATION_CONNECTORS,
  ...CUSTOMER_CONNECTORS,
  ...DEVELOPER_CONNECTORS,
  ...ENTERPRISE_CONNECTORS,
  ...WORKSPACE_APP_CONNECTORS,
}
