/**
 * One auth method per security scheme (SPEC 12), read from `connection.credentials.*` through
 * `password` inputs; OAuth app credentials are secrets named like the catalog's
 * (`<slug>_client_id`, dashes as underscores). Schemes latchkey has no method for are skipped
 * with a warning.
 */
import type { AuthMethodConfig, InputConfig } from '../config/schema.js'
import type { OAuthFlow, SecurityScheme } from './document.js'
import { oneLine, templateLiteral } from './literal.js'
import { idFrom, identifierFrom, UniqueNames } from './names.js'

export interface AuthPart {
  auth: { default: string, methods: Record<string, AuthMethodConfig> }
  inputs: InputConfig[]
}

type Warn = (message: string) => void

/** An HTTP header name (RFC 9110 token). */
const HEADER_NAME = /^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/

export interface SecurityContext {
  slug: string
  /** Absolute base URL for relative OAuth URLs, when the base is not templated. */
  base?: string
  inputNames: UniqueNames
  warn: Warn
}

export function authFrom (schemes: readonly [string, SecurityScheme][], order: readonly string[], context: SecurityContext): AuthPart {
  const methods: Record<string, AuthMethodConfig> = {}
  const inputs: InputConfig[] = []
  const methodNames = new UniqueNames()
  const methodOf = new Map<string, string>()
  const secretPrefix = identifierFrom(context.slug, 'imported')
  let oauthApps = 0

  for (const [schemeName, scheme] of schemes) {
    const skip = (why: string) => context.warn(`security scheme ${JSON.stringify(schemeName)} skipped: ${why}`)
    const name = () => methodNames.claim(idFrom(schemeName, 'auth'))
    const help = scheme.description === undefined ? {} : { help: oneLine(scheme.description, 200) }
    const secret = (wanted: string, label: string): string => {
      const input = context.inputNames.claim(identifierFrom(wanted, 'credential'))
      inputs.push({ name: input, label, type: 'password', required: true, ...help })
      return `{{ connection.credentials.${input} }}`
    }
    switch (scheme.type) {
      case 'apiKey': {
        if (scheme.in !== 'header' && scheme.in !== 'query') {
          skip(`an API key in ${scheme.in === '' ? 'no place' : `a ${scheme.in}`} (latchkey sends API keys in a header or the query)`)
          break
        }
        if (scheme.name === '' || (scheme.in === 'header' && !HEADER_NAME.test(scheme.name))) {
          skip(`${JSON.stringify(scheme.name)} is not a valid ${scheme.in === 'header' ? 'header' : 'parameter'} name`)
          break
        }
        const method = name()
        methods[method] = { type: 'api_key', key: templateLiteral(scheme.name), value: secret(method, `API key (${scheme.name})`), in: scheme.in }
        methodOf.set(schemeName, method)
        break
      }
      case 'http': {
        if (scheme.scheme === 'bearer') {
          const method = name()
          methods[method] = { type: 'bearer', token: secret(method, 'Bearer token') }
          methodOf.set(schemeName, method)
        } else if (scheme.scheme === 'basic') {
          const method = name()
          methods[method] = { type: 'basic', username: secret(`${method}_username`, 'Username'), password: secret(`${method}_password`, 'Password') }
          methodOf.set(schemeName, method)
        } else {
          skip(`HTTP ${JSON.stringify(scheme.scheme)} authentication has no latchkey method (basic and bearer do)`)
        }
        break
      }
      case 'oauth2': {
        const { authorizationCode: code, clientCredentials: client } = scheme.flows
        for (const flow of ['implicit', 'password'] as const) {
          if (scheme.flows[flow] !== undefined) context.warn(`security scheme ${JSON.stringify(schemeName)}: its OAuth 2.0 ${flow} flow skipped (latchkey has no method for it)`)
        }
        if (code === undefined && client === undefined) break
        const prefix = oauthApps++ === 0 ? secretPrefix : `${secretPrefix}_${identifierFrom(schemeName, 'oauth')}`
        const clientSecrets = {
          client_id: `{{ get_secret('${prefix}_client_id') }}`,
          client_secret: `{{ get_secret('${prefix}_client_secret') }}`,
        }
        if (code !== undefined) {
          const urls = oauthUrls(code, ['authorizationUrl', 'tokenUrl'], context.base)
          if (typeof urls === 'string') skip(`authorizationCode: ${urls}`)
          else {
            const method = name()
            methods[method] = {
              type: 'oauth2',
              authorize_url: templateLiteral(urls.authorizationUrl!),
              token_url: templateLiteral(urls.tokenUrl!),
              ...clientSecrets,
              scopes: code.scopes,
            }
            methodOf.set(schemeName, method)
          }
        }
        if (client !== undefined) {
          const urls = oauthUrls(client, ['tokenUrl'], context.base)
          if (typeof urls === 'string') skip(`clientCredentials: ${urls}`)
          else {
            const method = methodNames.claim(idFrom(code === undefined ? schemeName : `${schemeName}_client_credentials`, 'auth'))
            methods[method] = {
              type: 'oauth_client_credentials',
              token_url: templateLiteral(urls.tokenUrl!),
              ...clientSecrets,
              ...(client.scopes.length === 0 ? {} : { scope: templateLiteral(client.scopes.join(' ')) }),
            }
            if (!methodOf.has(schemeName)) methodOf.set(schemeName, method)
          }
        }
        break
      }
      case 'other':
        skip(`${scheme.kind} has no latchkey method`)
        break
      default: {
        const never: never = scheme
        throw new Error(`unknown scheme ${JSON.stringify(never)}`)
      }
    }
  }

  const names = Object.keys(methods)
  if (names.length === 0) {
    if (schemes.length > 0) context.warn('no security scheme maps to an auth method: the connector sends no credentials (auth none)')
    return { auth: { default: 'none', methods: { none: { type: 'none' } } }, inputs }
  }
  // The document's own top-level preference first, then declaration order.
  const preferred = order.map((scheme) => methodOf.get(scheme)).find((m) => m !== undefined)
  return { auth: { default: preferred ?? names[0]!, methods }, inputs }
}

/** The flow's URLs, absolute (relative ones resolved against the base URL), or why not. */
function oauthUrls<K extends 'authorizationUrl' | 'tokenUrl'> (flow: OAuthFlow, keys: K[], base: string | undefined): Record<K, string> | string {
  const out = {} as Record<K, string>
  for (const key of keys) {
    const value = flow[key]
    if (value === undefined || value === '') return `no ${key}`
    let url: URL
    try {
      url = base === undefined ? new URL(value) : new URL(value, `${base}/`)
    } catch {
      return `${key} ${JSON.stringify(value)} is not an absolute URL${base === undefined ? ' (and the base URL is templated)' : ''}`
    }
    if (url.protocol !== 'https:' && url.protocol !== 'http:') return `${key} is not an http(s) URL`
    if (url.username !== '' || url.password !== '') return `${key} carries user information`
    out[key] = url.href
  }
  return out
}
