/**
 * The code exchange (RFC 6749 4.1.3): POST token_url with grant_type=authorization_code, the
 * code, the same redirect_uri, the PKCE verifier, the client credentials (in the body, or HTTP
 * Basic with `client_auth: basic`) and token_params, as a form or JSON body (`token_format`).
 * requestToken reads JSON or form-encoded answers and treats a 200 with `error` as a failure.
 * What is stored is the layout the oauth2 method reads: access_token, refresh_token, expires_at
 * (and refresh_at), token_type, scope.
 */
import type { ResolvedConnector } from '../../config/model.js'
import { requestToken, type TokenResponse } from '../../tokens/endpoint.js'
import { credentialsFromToken } from '../../tokens/oauth2-credentials.js'
import type { TemplateContext } from '../../templates/types.js'
import type { ConnectDeps } from '../deps.js'
import type { OAuthStateRecord } from '../sessions.js'
import { flowUrl, renderAll, type OAuth2Method, type OAuthTemplates } from './templates.js'

export interface Exchanged {
  credentials: Record<string, string>
  /** The whole token answer, for `metadata`. */
  body: Readonly<Record<string, unknown>>
}

/** Throws GatewayError token_exchange_failed (or a render/host refusal). */
export async function exchangeCode (deps: ConnectDeps, connector: ResolvedConnector, method: OAuth2Method, templates: OAuthTemplates,
  context: TemplateContext, state: OAuthStateRecord, code: string): Promise<Exchanged> {
  const server = deps.runtime().config.server
  const [tokenUrl, clientId, clientSecret, ...params] = await renderAll(
    [templates.tokenUrl, templates.clientId, templates.clientSecret, ...templates.tokenParams.map(([, t]) => t)], context, deps.test.secrets)
  const { url, templated } = flowUrl(tokenUrl!, templates.tokenUrl, connector, server.allow_private_upstreams, 'token_url')
  const basic = method.client_auth === 'basic'
  const form: Array<readonly [string, string]> = [['grant_type', 'authorization_code'], ['code', code], ['redirect_uri', state.redirect_uri]]
  if (!basic) form.push(['client_id', clientId!], ['client_secret', clientSecret!])
  if (state.verifier !== null) form.push(['code_verifier', state.verifier])
  templates.tokenParams.forEach(([name], i) => form.push([name, params[i]!]))

  const res = await requestToken({
    dispatcher: templated ? deps.test.upstreams.guarded : deps.test.upstreams.trusted,
    url: url.toString(),
    form,
    ...(basic ? { basic: { username: clientId!, password: clientSecret! } } : {}),
    timeoutMs: server.token_timeout_ms,
    format: method.token_format ?? 'form',
    ...(method.token_path === undefined ? {} : { tokenPath: method.token_path }),
  })
  return { credentials: storedCredentials(res, deps.now()), body: res.body }
}

/**
 * The stored layout the `oauth2` auth method reads and refreshes (src/tokens/oauth2-credentials.ts,
 * shared with it): read from the token object (the one at token_path, when set); `expires_in`
 * may sit beside it at the top of the answer.
 */
function storedCredentials (res: TokenResponse, nowMs: number): Record<string, string> {
  return credentialsFromToken({ ...res.token, access_token: res.access_token, expires_in: res.expires_in }, nowMs)
}
