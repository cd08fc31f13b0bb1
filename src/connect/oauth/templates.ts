/**
 * The operator's templates of an `oauth2` method, compiled once per method config and compiler
 * (a reload brings new ones), and rendered for the connect flow with a context whose
 * `connection.config` holds what the user typed: those values are data in the context, only the
 * operator's templates render.
 */
import type { ResolvedConnector } from '../../config/model.js'
import type { AuthMethodOf } from '../../config/schema.js'
import type { TemplateCompiler } from '../../config/semantic.js'
import { GatewayError } from '../../errors.js'
import { checkTemplatedHost } from '../../proxy/base-url.js'
import { compileHostGlobs } from '../../proxy/host-guard.js'
import type { SecretLookup } from '../../runtime/secrets.js'
import type { CompiledTemplate, TemplateContext } from '../../templates/types.js'

export type OAuth2Method = AuthMethodOf<'oauth2'>

export interface OAuthTemplates {
  authorizeUrl: CompiledTemplate
  authorizeParams: ReadonlyArray<readonly [string, CompiledTemplate]>
  tokenUrl: CompiledTemplate
  clientId: CompiledTemplate
  clientSecret: CompiledTemplate
  tokenParams: ReadonlyArray<readonly [string, CompiledTemplate]>
  postConnect: { url: CompiledTemplate, headers: ReadonlyArray<readonly [string, CompiledTemplate]> } | undefined
}

const compiled = new WeakMap<TemplateCompiler, WeakMap<OAuth2Method, OAuthTemplates>>()

export function oauthTemplates (compiler: TemplateCompiler, method: OAuth2Method): OAuthTemplates {
  let byMethod = compiled.get(compiler)
  if (byMethod === undefined) {
    byMethod = new WeakMap()
    compiled.set(compiler, byMethod)
  }
  let templates = byMethod.get(method)
  if (templates === undefined) {
    const map = (entries: Record<string, string> | undefined, site: 'auth' | 'base_url') =>
      Object.entries(entries ?? {}).map(([k, v]) => [k, compiler.compile(v, site)] as const)
    templates = {
      // Sent to the browser: the base_url site, which cannot read secrets or credentials.
      authorizeUrl: compiler.compile(method.authorize_url, 'base_url'),
      authorizeParams: map(method.authorize_params, 'base_url'),
      tokenUrl: compiler.compile(method.token_url, 'auth'),
      clientId: compiler.compile(method.client_id, 'auth'),
      clientSecret: compiler.compile(method.client_secret, 'auth'),
      tokenParams: map(method.token_params, 'auth'),
      postConnect: method.post_connect === undefined
        ? undefined
        : { url: compiler.compile(method.post_connect.url, 'auth'), headers: map(method.post_connect.headers, 'auth') },
    }
    byMethod.set(method, templates)
  }
  return templates
}

/** The context of a connection that does not exist yet: no caller, no request. */
export function flowContext (connection: { id: string, connector: string, owner: string | null }, config: Readonly<Record<string, unknown>>,
  credentials: Readonly<Record<string, string>> = {}): TemplateContext {
  return {
    connection: { id: connection.id, connector: connection.connector, owner: connection.owner, config, credentials },
    caller: { id: null, kind: 'anonymous' },
    request: { method: 'GET', path: '', query: {} },
  }
}

/** Renders `templates` with the secrets they name fetched once. */
export async function renderAll (templates: readonly CompiledTemplate[], context: TemplateContext, secrets: SecretLookup): Promise<string[]> {
  const names = [...new Set(templates.flatMap((t) => t.secrets))]
  const values = await secrets(names)
  return templates.map((t) => t.render(context, values))
}

/**
 * A rendered URL of the flow. A templated one must point where a templated base URL may
 * (SPEC 6.4 through checkTemplatedHost: allowed_hosts, no private literal unless allowed);
 * `templated` tells the caller to send through the guarded dispatcher.
 */
export function flowUrl (rendered: string, template: CompiledTemplate, connector: ResolvedConnector, allowPrivate: boolean, what: string): { url: URL, templated: boolean } {
  let url: URL
  try {
    url = new URL(rendered)
  } catch {
    throw new GatewayError('template_error', `${what} did not render to an absolute URL`)
  }
  if (template.isStatic) return { url, templated: false }
  checkTemplatedHost(url, compileHostGlobs(connector.allowed_hosts ?? []), allowPrivate)
  return { url, templated: true }
}

/**
 * The origins the connect page's form may lead to for this method (CSP form-action applies to
 * the redirect after the submit): a literal authorize URL's origin, or for a templated one the
 * `allowed_hosts` it must match, as CSP host sources (`*.myshopify.com`).
 */
export function authorizeOrigins (connector: ResolvedConnector, method: OAuth2Method): string[] {
  const source = method.authorize_url
  if (!/\{\{|\{%|\{#/.test(source)) {
    try {
      return [new URL(source).origin]
    } catch {
      return []
    }
  }
  const scheme = /^http:\/\//i.test(source) ? 'http' : 'https'
  const out: string[] = []
  for (const glob of connector.allowed_hosts ?? []) {
    const labels = glob.toLowerCase().split('.')
    const literal = (l: string) => /^[a-z0-9-]+$/.test(l)
    if (labels.every(literal)) out.push(`${scheme}://${labels.join('.')}`)
    else if ((labels[0] === '*' || labels[0] === '**') && labels.length > 1 && labels.slice(1).every(literal)) out.push(`${scheme}://*.${labels.slice(1).join('.')}`)
  }
  return out
}
