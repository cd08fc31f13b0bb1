/**
 * A connector skeleton for `latchkey connectors new` (like a "Create connector" dialog): the
 * display fields, a base URL on the domain, and one auth method per chosen kind with the inputs
 * a connect form asks for. The result is plain config a user could have written, valid as it
 * stands, and connectable at once through a connect session; the operator then edits base URL,
 * header names and OAuth URLs to the provider's.
 */
import type { AuthMethodConfig, ConnectorConfig, InputConfig } from '../config/schema.js'
import { ID_PATTERN } from '../config/patterns.js'

export const SKELETON_AUTH_KINDS = ['api_key', 'bearer', 'basic', 'oauth2'] as const
export type SkeletonAuthKind = typeof SKELETON_AUTH_KINDS[number]

export function isSkeletonAuthKind (value: string): value is SkeletonAuthKind {
  return (SKELETON_AUTH_KINDS as readonly string[]).includes(value)
}

const MAX_SLUG = 63
const ID = new RegExp(ID_PATTERN)

/**
 * `Acme CRM` -> `acme-crm`, `Zoë's API v2` -> `zoe-s-api-v2`: lower case, accents dropped, every
 * other run of characters outside [a-z0-9] one dash; '' when nothing is left.
 */
export function slugFromName (name: string): string {
  return name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+/, '')
    .slice(0, MAX_SLUG)
    .replace(/-+$/, '')
}

/** `slug`, else `slug-2`, `slug-3`, ... : the first one `taken` does not claim, within 63 characters. */
export function uniqueSlug (slug: string, taken: (candidate: string) => boolean): string {
  if (!taken(slug)) return slug
  for (let n = 2; ; n++) {
    const suffix = `-${n}`
    const candidate = `${slug.slice(0, MAX_SLUG - suffix.length).replace(/-+$/, '')}${suffix}`
    if (!taken(candidate)) return candidate
  }
}

export function isValidSlug (slug: string): boolean {
  return ID.test(slug)
}

export interface SkeletonOptions {
  slug: string
  name: string
  /** The provider's domain; a reserved `.example` placeholder when none is given. */
  domain?: string
  auth: readonly SkeletonAuthKind[]
}

/** The domain as typed (`https://acme.com/` -> `acme.com`), or undefined when it is not a host name. */
export function normalizeDomain (text: string): string | undefined {
  const host = text.trim().toLowerCase().replace(/^https?:\/\//, '').replace(/\/.*$/, '')
  return /^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{0,61}[a-z0-9]$/.test(host) ? host : undefined
}

interface MethodPart { method: AuthMethodConfig, inputs: InputConfig[] }

function methodFor (kind: SkeletonAuthKind, slug: string, domain: string): MethodPart {
  switch (kind) {
    case 'api_key':
      return {
        method: { type: 'api_key', key: 'X-Api-Key', value: '{{ connection.credentials.api_key }}', in: 'header' },
        inputs: [{ name: 'api_key', label: 'API key', type: 'password', required: true }],
      }
    case 'bearer':
      return {
        method: { type: 'bearer', token: '{{ connection.credentials.access_token }}' },
        inputs: [{ name: 'access_token', label: 'Access token', type: 'password', required: true }],
      }
    case 'basic':
      return {
        method: { type: 'basic', username: '{{ connection.config.username }}', password: '{{ connection.credentials.password }}' },
        inputs: [
          { name: 'username', label: 'Username', type: 'text', required: true },
          { name: 'password', label: 'Password', type: 'password', required: true },
        ],
      }
    case 'oauth2': {
      // The OAuth app's client id and secret are the operator's, kept as sealed secrets.
      const secret = slug.replace(/-/g, '_')
      return {
        method: {
          type: 'oauth2',
          authorize_url: `https://${domain}/oauth/authorize`,
          token_url: `https://${domain}/oauth/token`,
          client_id: `{{ get_secret('${secret}_client_id') }}`,
          client_secret: `{{ get_secret('${secret}_client_secret') }}`,
          scopes: [],
          scope_separator: ' ',
          pkce: true,
        },
        inputs: [],
      }
    }
    default: {
      const never: never = kind
      throw new Error(`unknown auth kind ${String(never)}`)
    }
  }
}

export function connectorSkeleton (options: SkeletonOptions): ConnectorConfig {
  const domain = options.domain ?? `${options.slug}.example`
  const kinds = [...new Set(options.auth)]
  if (kinds.length === 0) throw new Error('a connector skeleton needs at least one auth method')
  const methods: Record<string, AuthMethodConfig> = {}
  const inputs: InputConfig[] = []
  for (const kind of kinds) {
    const part = methodFor(kind, options.slug, domain)
    methods[kind] = part.method
    inputs.push(...part.inputs)
  }
  return {
    name: options.name,
    description: `${options.name} API`,
    domain,
    // Private until the operator decides otherwise: GET /connectors lists public ones only.
    visibility: 'private',
    icon_url: `https://${domain}/favicon.ico`,
    base_url: `https://api.${domain}`,
    auth: { default: kinds[0]!, methods },
    ...(inputs.length === 0 ? {} : { inputs }),
  }
}
