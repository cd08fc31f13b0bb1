/**
 * Pieces several catalog entries share. Everything here builds plain config: what a user could
 * write in YAML under `connectors`.
 */
import type { AuthMethodOf, InputConfig } from '../config/schema.js'

type OAuth2 = AuthMethodOf<'oauth2'>
type ClientCredentials = AuthMethodOf<'oauth_client_credentials'>

export const apiKeyInput = { name: 'api_key', label: 'API key', type: 'password', required: true } as const

/** A password input: its value becomes `connection.credentials.<name>`. */
export function secretInput (name: string, label: string, extra: Partial<InputConfig> = {}): InputConfig {
  return { name, label, type: 'password', required: true, ...extra }
}

/** A DNS label such as a shop or account subdomain. */
export function subdomainInput (name: string, label: string, help?: string): InputConfig {
  return {
    name,
    label,
    type: 'text',
    required: true,
    pattern: '^[a-z0-9][a-z0-9-]*$',
    pattern_error: 'lower-case letters, digits and dashes (the subdomain only, not the full URL)',
    ...(help === undefined ? {} : { help }),
  }
}

/** The client id and secret of the OAuth app registered with the provider, kept as secrets. */
export function clientSecrets (prefix: string): Pick<OAuth2, 'client_id' | 'client_secret'> {
  return {
    client_id: `{{ get_secret('${prefix}_client_id') }}`,
    client_secret: `{{ get_secret('${prefix}_client_secret') }}`,
  }
}

/** Bearer token taken from a password input. */
export function bearer (input = 'token') {
  return { type: 'bearer' as const, token: `{{ connection.credentials.${input} }}` }
}

// Google: one OAuth client for every Google API; `access_type=offline` + `prompt=consent`
// make Google return a refresh token on every consent.
export function googleOAuth (secretPrefix: string, scopes: string[]): OAuth2 {
  return {
    type: 'oauth2',
    authorize_url: 'https://accounts.google.com/o/oauth2/v2/auth',
    token_url: 'https://oauth2.googleapis.com/token',
    ...clientSecrets(secretPrefix),
    scopes,
    scope_separator: ' ',
    authorize_params: { access_type: 'offline', prompt: 'consent' },
    pkce: true,
  }
}

// Microsoft identity platform v2.0 endpoints, per tenant (`common` for any work, school or
// personal account; `organizations`, `consumers`, a tenant id or a verified domain otherwise).
const MS_TENANT = "{{ connection.config.tenant | default('common') }}"
const MS_LOGIN = `https://login.microsoftonline.com/${MS_TENANT}/oauth2/v2.0`

/** Hosts of Graph and of the tenant-templated login URLs, for `allowed_hosts`. */
export const MICROSOFT_HOSTS = ['graph.microsoft.com', 'login.microsoftonline.com']

export const microsoftTenantInput: InputConfig = {
  name: 'tenant',
  label: 'Directory (tenant)',
  type: 'text',
  required: false,
  default: 'common',
  pattern: '^[A-Za-z0-9][A-Za-z0-9.-]*$',
  pattern_error: 'common, organizations, consumers, a tenant id or a verified domain',
  help: 'Tenant id or domain; common for any account. App-only access needs a real tenant.',
}

export function microsoftOAuth (secretPrefix: string, scopes: string[]): OAuth2 {
  return {
    type: 'oauth2',
    authorize_url: `${MS_LOGIN}/authorize`,
    token_url: `${MS_LOGIN}/token`,
    ...clientSecrets(secretPrefix),
    // offline_access is what makes the platform return a refresh token.
    scopes: ['offline_access', ...scopes],
    scope_separator: ' ',
    pkce: true,
  }
}

/** App-only Graph access (client credentials grant, application permissions). */
export function microsoftAppOnly (secretPrefix: string): ClientCredentials {
  return {
    type: 'oauth_client_credentials',
    token_url: `${MS_LOGIN}/token`,
    ...clientSecrets(secretPrefix),
    scope: 'https://graph.microsoft.com/.default',
  }
}
