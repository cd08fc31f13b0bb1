/** Commerce, accounting and inventory: Shopify, Xero, QuickBooks Online, Cin7 Core, Cin7 Omni. */
import type { ConnectorConfig } from '../../config/schema.js'
import { clientSecrets, secretInput, subdomainInput } from '../shared.js'
import { SHOPIFY_CAPABILITIES } from '../capabilities/shopify.js'

/** Shopify Admin API version (quarterly releases, each supported for at least 12 months). */
const SHOPIFY_API_VERSION = '2025-10'
const SHOP = 'https://{{ connection.config.shop }}.myshopify.com'

/**
 * Xero's granular Accounting scopes: apps created from 2 March 2026 cannot request the broad
 * accounting.transactions, which these replace (invoices, payments, bank transactions, manual
 * journals). https://developer.xero.com/documentation/guides/oauth2/scopes
 */
const XERO_SCOPES = [
  'accounting.settings', 'accounting.contacts',
  'accounting.invoices', 'accounting.payments', 'accounting.banktransactions', 'accounting.manualjournals',
]

export const ACCOUNTING_CONNECTORS: Record<string, ConnectorConfig> = {
  shopify: {
    name: 'Shopify',
    description: 'Shopify Admin API (REST and GraphQL at /graphql.json) of one shop',
    domain: 'shopify.com',
    visibility: 'public',
    base_url: `${SHOP}/admin/api/${SHOPIFY_API_VERSION}`,
    allowed_hosts: ['*.myshopify.com'],
    inputs: [
      subdomainInput('shop', 'Shop', 'The part before .myshopify.com'),
      secretInput('access_token', 'Admin API access token', { required: false, help: 'Custom app token (shpat_…); not needed with OAuth' }),
      secretInput('webhook_secret', 'Webhook secret', { required: false, help: "The app's client secret (or the custom app's webhook secret), to verify webhooks" }),
    ],
    auth: {
      default: 'token',
      methods: {
        token: { type: 'api_key', key: 'X-Shopify-Access-Token', value: '{{ connection.credentials.access_token }}' },
        // Public apps (authorization code grant). The access token goes in X-Shopify-Access-Token,
        // bare, not as a Bearer token; Shopify's grant has no PKCE.
        // https://shopify.dev/docs/apps/build/authentication-authorization/access-tokens/authorization-code-grant
        oauth: {
          type: 'oauth2',
          authorize_url: `${SHOP}/admin/oauth/authorize`,
          token_url: `${SHOP}/admin/oauth/access_token`,
          ...clientSecrets('shopify'),
          scopes: ['read_products', 'read_orders'],
          scope_separator: ',',
          pkce: false,
          header: 'X-Shopify-Access-Token',
          prefix: '',
        },
      },
    },
    test: { method: 'GET', path: '/shop.json', expect_status: 200 },
    capabilities: SHOPIFY_CAPABILITIES,
    // X-Shopify-Hmac-Sha256 (base64 HMAC-SHA256 of the body); no signed timestamp, so the
    // tolerance is the window repeats are recognised in:
    // https://shopify.dev/docs/apps/build/webhooks/subscribe/https#step-5-verify-the-webhook
    webhooks: { verify: { type: 'shopify', secret: '{{ connection.credentials.webhook_secret }}', tolerance: '300s' } },
  },
  xero: {
    name: 'Xero',
    description: 'Xero Accounting API of one organisation (tenant)',
    domain: 'xero.com',
    visibility: 'public',
    base_url: 'https://api.xero.com/api.xro/2.0',
    // Every Accounting API call names the organisation it is about.
    // https://developer.xero.com/documentation/guides/oauth2/auth-flow
    headers: { Accept: 'application/json', 'xero-tenant-id': '{{ connection.config.tenant_id }}' },
    inputs: [{
      name: 'tenant_id', label: 'Tenant id', type: 'text', required: false,
      pattern: '^[0-9a-fA-F-]{36}$', pattern_error: 'a tenant id (GUID) from GET https://api.xero.com/connections',
      help: 'Filled in after connecting with OAuth (the first organisation authorised)',
    }],
    auth: {
      default: 'oauth',
      methods: {
        oauth: {
          type: 'oauth2',
          authorize_url: 'https://login.xero.com/identity/connect/authorize',
          token_url: 'https://identity.xero.com/connect/token',
          ...clientSecrets('xero'),
          scopes: ['offline_access', ...XERO_SCOPES],
          scope_separator: ' ',
          client_auth: 'basic',
          pkce: true,
          // The token is for a user; the organisations it may reach come from /connections.
          // https://developer.xero.com/documentation/guides/oauth2/auth-flow
          post_connect: {
            method: 'GET',
            url: 'https://api.xero.com/connections',
            headers: { Accept: 'application/json' },
            metadata: { tenant_id: '[0].tenantId' },
          },
        },
        // Custom connections (one organisation, machine to machine).
        custom_connection: {
          type: 'oauth_client_credentials',
          token_url: 'https://identity.xero.com/connect/token',
          ...clientSecrets('xero'),
          scope: XERO_SCOPES.join(' '),
          client_auth: 'basic',
        },
      },
    },
    test: { method: 'GET', path: '/Organisation', expect_status: 200 },
  },
  quickbooks: {
    name: 'QuickBooks Online',
    description: 'QuickBooks Online Accounting API of one company (realm)',
    domain: 'intuit.com',
    visibility: 'public',
    base_url: 'https://quickbooks.api.intuit.com/v3/company/{{ connection.config.realm_id }}',
    allowed_hosts: ['quickbooks.api.intuit.com'],
    // The API answers XML unless asked for JSON.
    headers: { Accept: 'application/json' },
    inputs: [{
      name: 'realm_id', label: 'Company id (realm id)', type: 'text', required: false, pattern: '^[0-9]+$', pattern_error: 'digits only',
      help: 'Filled in from the OAuth redirect (realmId)',
    }],
    auth: {
      default: 'oauth',
      methods: {
        oauth: {
          type: 'oauth2',
          authorize_url: 'https://appcenter.intuit.com/connect/oauth2',
          token_url: 'https://oauth.platform.intuit.com/oauth2/v1/tokens/bearer',
          ...clientSecrets('quickbooks'),
          scopes: ['com.intuit.quickbooks.accounting'],
          scope_separator: ' ',
          client_auth: 'basic',
          pkce: false,
          // The company the user picked arrives as `realmId` on the redirect, next to the code.
          // https://developer.intuit.com/app/developer/qbo/docs/develop/authentication-and-authorization/oauth-2.0
          redirect_metadata: { realm_id: 'realmId' },
        },
      },
    },
    test: { method: 'GET', path: '/companyinfo/{{ connection.config.realm_id }}', expect_status: 200 },
  },
  'cin7-core': {
    name: 'Cin7 Core',
    description: 'Cin7 Core (formerly DEAR Inventory) External API v2',
    domain: 'cin7.com',
    visibility: 'public',
    base_url: 'https://inventory.dearsystems.com/ExternalApi/v2',
    inputs: [
      { name: 'account_id', label: 'Account ID', type: 'text', required: true, pattern: '^[0-9a-fA-F-]{36}$', pattern_error: 'the Account ID (GUID) shown with the API application' },
      secretInput('application_key', 'Application key'),
    ],
    auth: {
      default: 'key',
      methods: {
        key: {
          type: 'custom',
          headers: {
            'api-auth-accountid': '{{ connection.config.account_id }}',
            'api-auth-applicationkey': '{{ connection.credentials.application_key }}',
          },
        },
      },
    },
    // GET /me: the company the credentials belong to (https://dearinventory.docs.apiary.io/).
    test: { method: 'GET', path: '/me', expect_status: 200 },
  },
  'cin7-omni': {
    name: 'Cin7 Omni',
    description: 'Cin7 Omni REST API',
    domain: 'cin7.com',
    visibility: 'public',
    base_url: 'https://api.cin7.com/api',
    inputs: [
      { name: 'username', label: 'API username', type: 'text', required: true },
      secretInput('api_key', 'API connection key'),
    ],
    auth: {
      default: 'basic',
      methods: { basic: { type: 'basic', username: '{{ connection.config.username }}', password: '{{ connection.credentials.api_key }}' } },
    },
    // A cheap authenticated list (https://api.cin7.com/API/Help).
    test: { method: 'GET', path: '/v1/Branches', expect_status: 200 },
  },
}
