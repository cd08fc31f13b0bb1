/**
 * The authorize redirect (SPEC 8): after the method's inputs passed their checks, a fresh
 * one-time state is kept in the cache with the PKCE verifier and the typed config, and the
 * browser goes to the provider's authorize URL with response_type=code, client_id, redirect_uri,
 * scope, state, the S256 challenge (unless `pkce: false`) and authorize_params. The browser is
 * bound to the state by a cookie (cookie.ts).
 */
import type { ResolvedConnector } from '../../config/model.js'
import type { ConnectDeps } from '../deps.js'
import { OAUTH_STATE_TTL_MS, sessionDigest, type ConnectSession } from '../sessions.js'
import { bindingCookie } from './cookie.js'
import { challengeOf, newVerifier } from './pkce.js'
import { newState, stateBinding, stateKey } from './state.js'
import { flowContext, flowUrl, oauthTemplates, renderAll, type OAuth2Method } from './templates.js'

export const CALLBACK_PATH = '/connect/oauth/callback'

export function redirectUri (publicUrl: string): string {
  return `${publicUrl.replace(/\/+$/, '')}${CALLBACK_PATH}`
}

export interface AuthorizeRedirect {
  location: string
  /** The Set-Cookie of the browser binding; undefined when browser_binding is off. */
  cookie: string | undefined
}

/** Throws a GatewayError (template_error, invalid_path, secret_not_found) when the URL cannot be used. */
export async function startAuthorize (deps: ConnectDeps, token: string, session: ConnectSession, connector: ResolvedConnector,
  methodName: string, method: OAuth2Method, config: Record<string, string>): Promise<AuthorizeRedirect> {
  const runtime = deps.runtime()
  const server = runtime.config.server
  const templates = oauthTemplates(deps.test.compiler(), method)
  const context = flowContext({ id: session.connection, connector: connector.slug, owner: session.owner }, config)
  const [authorizeUrl, clientId, ...params] = await renderAll([templates.authorizeUrl, templates.clientId, ...templates.authorizeParams.map(([, t]) => t)], context, deps.test.secrets)
  const { url } = flowUrl(authorizeUrl!, templates.authorizeUrl, connector, server.allow_private_upstreams, 'authorize_url')

  const state = newState()
  const verifier = method.pkce === false ? null : newVerifier()
  const redirect_uri = redirectUri(server.public_url)
  await deps.sessions.putOAuthState(stateKey(state), {
    session: sessionDigest(token),
    connection: session.connection,
    return_to: session.return_to,
    method: methodName,
    config,
    verifier,
    redirect_uri,
    expires_at: deps.now() + OAUTH_STATE_TTL_MS,
  })

  const ours: Array<[string, string]> = [['response_type', 'code'], ['client_id', clientId!], ['redirect_uri', redirect_uri]]
  const scopes = method.scopes ?? []
  if (scopes.length > 0) ours.push(['scope', scopes.join(method.scope_separator ?? ' ')])
  ours.push(['state', state])
  if (verifier !== null) ours.push(['code_challenge', challengeOf(verifier)], ['code_challenge_method', 'S256'])
  templates.authorizeParams.forEach(([name], i) => ours.push([name, params[i]!]))
  url.search = withParams(url.search, ours)

  return {
    location: url.toString(),
    cookie: server.connect.browser_binding ? bindingCookie(stateBinding(state), server.public_url.startsWith('https:')) : undefined,
  }
}

/**
 * The authorize URL's own query kept byte for byte, minus any parameter we set (one value per
 * name: ours), then ours, form-encoded.
 */
function withParams (search: string, params: ReadonlyArray<readonly [string, string]>): string {
  const names = new Set(params.map(([name]) => name))
  const kept = search.replace(/^\?/, '').split('&').filter((piece) => {
    if (piece === '') return false
    const raw = piece.split('=')[0]!
    let name = raw
    try {
      name = decodeURIComponent(raw.replace(/\+/g, ' '))
    } catch {}
    return !names.has(name)
  })
  const added = new URLSearchParams(params as Array<[string, string]>).toString()
  return `?${[...kept, added].join('&')}`
}
