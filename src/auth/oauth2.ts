/**
 * `oauth2` (SPEC 7, 7.1): the connection's access token, obtained through the connect flow and
 * stored sealed with it, in `header` with `prefix` (Bearer by default).
 *
 * The warm path reads the token from the compiled connection's credentials: no store, cache or
 * Redis round trip. When its refresh time has come (or an upstream 401 rejected it), the token
 * service runs one refresh per connection across every process sharing the Redis cache (lock,
 * re-check, pub/sub), and the refresh:
 * 1. re-reads the stored record (another process may have refreshed already: then that token
 *    is used and the provider is not asked);
 * 2. sends `grant_type=refresh_token` with the refresh token it just read;
 * 3. stores the new tokens atomically (store.update), keeping the old refresh token when the
 *    provider sent none. A rotating provider therefore never sees a refresh token twice.
 * `invalid_grant` marks the connection `refresh_failed` (409 connection_not_authorized until the
 * user reconnects); any other failure is 502 token_refresh_failed with back-off, and costs
 * nothing stored: a timed-out refresh keeps the refresh token it used.
 */
import type { AuthMethodOf } from '../config/schema.js'
import { GatewayError } from '../errors.js'
import { oauthErrorOf, requestToken } from '../tokens/endpoint.js'
import { credentialsFromToken, secondsUntilRefresh, type OAuth2Credentials } from '../tokens/oauth2-credentials.js'
import type { RefreshResult } from '../tokens/types.js'
import { render, type AuthDeps, type AuthMethod, type AuthOutcome, type AuthScope } from './types.js'


const NOT_CONNECTED = 'the connection has no OAuth token yet: connect it through a connect session'
const EXPIRED = 'the connection\'s authorization has expired: reconnect it through a connect session'

export function oauth2Method (config: AuthMethodOf<'oauth2'>, deps: AuthDeps): AuthMethod {
  const c = deps.compiler
  const tokenUrl = c.compile(config.token_url, 'auth')
  const clientId = c.compile(config.client_id, 'auth')
  const clientSecret = c.compile(config.client_secret, 'auth')
  const refreshParams = Object.entries(config.refresh_params ?? {}).map(([k, v]) => [k, c.compile(v, 'auth')] as const)
  const basic = config.client_auth === 'basic'
  const format = config.token_format ?? 'form'
  const header = (config.header ?? 'Authorization').toLowerCase()
  const prefix = config.prefix ?? 'Bearer '
  const dispatcher = deps.tokenDispatcher(!tokenUrl.isStatic)
  const store = deps.oauth2Tokens
  /** Access tokens an upstream answered 401 to: never injected again, whatever their expiry says. */
  const rejected = new Set<string>()

  const outcome = (token: string): AuthOutcome => ({ headers: [[header, prefix + token]], query: [] })
  const usable = (credentials: OAuth2Credentials | undefined): string | undefined => {
    const token = credentials?.access_token
    if (token === undefined || token === '' || rejected.has(token)) return undefined
    return secondsUntilRefresh(credentials!, deps.now()) > 0 ? token : undefined
  }

  const counted = (id: string, result: RefreshResult) => deps.tokenRefreshed?.(id, result)

  const refresh = async (s: AuthScope) => {
    if (store === undefined) throw new GatewayError('connection_not_authorized', NOT_CONNECTED)
    const id = s.context.connection.id
    const current = await store.current(id)
    if (current === undefined) throw new GatewayError('connection_not_authorized', NOT_CONNECTED)
    const fresh = usable(current)
    if (fresh !== undefined) {
      counted(id, 'already_refreshed')
      return { access_token: fresh, usable_s: usableFor(current, deps.now()) }
    }
    if (current.refresh_token === undefined || current.refresh_token === '') {
      // Nothing to refresh with: only the user can fix it.
      await store.markRefreshFailed(id)
      counted(id, 'refresh_failed')
      throw new GatewayError('connection_not_authorized', EXPIRED)
    }
    const form: Array<readonly [string, string]> = [['grant_type', 'refresh_token'], ['refresh_token', current.refresh_token]]
    const id_ = render(clientId, s)
    const secret = render(clientSecret, s)
    if (!basic) form.push(['client_id', id_], ['client_secret', secret])
    for (const [k, t] of refreshParams) form.push([k, render(t, s)])
    let answer
    try {
      answer = await requestToken({
        dispatcher,
        url: render(tokenUrl, s),
        form,
        format,
        ...(config.token_path === undefined ? {} : { tokenPath: config.token_path }),
        ...(basic ? { basic: { username: id_, password: secret } } : {}),
        timeoutMs: deps.tokenTimeoutMs,
      }, 'token_refresh_failed')
    } catch (err) {
      if (oauthErrorOf(err) === 'invalid_grant') {
        await store.markRefreshFailed(id)
        counted(id, 'refresh_failed')
        throw new GatewayError('connection_not_authorized', EXPIRED)
      }
      counted(id, 'error')
      throw err
    }
    counted(id, 'ok')
    const next = credentialsFromToken(answer.token, deps.now(), current)
    await store.save(id, next)
    return { access_token: answer.access_token, usable_s: usableFor(next, deps.now()) }
  }

  /** Cold: the token service's token, refreshed through the connection's record when needed. */
  async function refreshed (s: AuthScope): Promise<AuthOutcome> {
    try {
      return outcome(await deps.tokens.token({ key: deps.tokenKey([s.key, 'oauth2']), connection: s.context.connection.id, fetch: () => refresh(s) }))
    } catch (err) {
      // The token service's fail-fast during back-off speaks of token exchanges.
      if (err instanceof GatewayError && err.code === 'token_exchange_failed') {
        counted(s.context.connection.id, 'backoff')
        throw new GatewayError('token_refresh_failed', err.message)
      }
      throw err
    }
  }

  return {
    type: 'oauth2',
    templates: [tokenUrl, clientId, clientSecret, ...refreshParams.map(([, t]) => t)],
    tokenBased: true,
    apply (s) {
      // Warm: the token the compiled connection holds, with nothing to wait for.
      const held = usable(s.context.connection.credentials)
      return held !== undefined ? outcome(held) : refreshed(s)
    },
    async invalidate (s, rejectedOutcome) {
      const value = rejectedOutcome.headers.find(([name]) => name === header)?.[1]
      if (value === undefined || !value.startsWith(prefix)) return
      const token = value.slice(prefix.length)
      rejected.add(token)
      if (rejected.size > 1000) rejected.delete(rejected.values().next().value as string)
      await deps.tokens.purge(deps.tokenKey([s.key, 'oauth2']), token)
    },
  }
}

/** Seconds the token service may hand this token out: until its refresh time, at least 0. */
function usableFor (credentials: OAuth2Credentials, nowMs: number): number {
  const seconds = secondsUntilRefresh(credentials, nowMs)
  return Number.isFinite(seconds) ? Math.max(0, Math.floor(seconds)) : 3600
}
