/**
 * For the oauth2 refresh tests: a connector whose oauth2 method refreshes at a real token
 * endpoint, a rotating refresh-token issuer with reuse detection (as OAuth 2.1 servers do), and
 * a stored connection seeded through the admin API with tokens as the connect flow stores them.
 */
import { randomBytes } from 'node:crypto'
import type { TokenEndpoint, TokenRequest } from './token-endpoint.js'
import { ADMIN } from './stored-connections.js'
import type { TestRedis } from './redis.js'

export const CLIENT_SECRET = 'oauth2-client-secret-9a8b7c'

export function oauth2Config (options: { tokenUrl: string, upstreamUrl: string, redis?: TestRedis, extra?: string }): string {
  const { redis } = options
  const shared = redis === undefined
    ? ''
    : `store: { type: redis, url: "${redis.url}", key_prefix: "${redis.prefix}" }\ncache: { type: redis, url: "${redis.url}", key_prefix: "${redis.prefix}" }\n`
  return `${shared}server: { allow_private_upstreams: true }
callers:
  api_keys:
    ops: { key: "{{ get_secret('admin_key') }}", admin: true }
    app: { key: "{{ get_secret('caller_key') }}" }
connectors:
  crm:
    base_url: ${options.upstreamUrl}
    auth:
      default: oauth
      methods:
        oauth:
          type: oauth2
          authorize_url: https://idp.example.com/authorize
          token_url: ${options.tokenUrl}
          client_id: crm-client
          client_secret: "{{ get_secret('client_secret') }}"
          refresh_params: { audience: crm-api }
${options.extra ?? ''}`
}

/** A stored oauth2 connection the `app` caller may use, its token due for refresh or not. */
export function storedOAuth2Body (tokens: { access: string, refresh: string, due?: boolean }): string {
  const now = Math.floor(Date.now() / 1000)
  return JSON.stringify({
    connector: 'crm',
    credentials: {
      access_token: tokens.access,
      refresh_token: tokens.refresh,
      expires_at: String(now + 3600),
      refresh_at: String(tokens.due === true ? now - 1 : now + 3300),
      token_type: 'Bearer',
    },
    access: { callers: ['app'] },
  })
}

export const putConnection = (gw: { fetch: (p: string, i?: RequestInit) => Promise<Response> }, id: string, body: string) =>
  gw.fetch(`/admin/connections/${id}`, { method: 'PUT', headers: ADMIN, body })

/**
 * Makes `endpoint` a rotating issuer: each refresh token works once; using one twice revokes
 * the whole family (every later refresh is invalid_grant) and counts a reuse.
 */
export function rotatingIssuer (endpoint: TokenEndpoint, firstRefresh: string, options: { expiresIn?: number } = {}): { reuses: () => number, current: () => string } {
  let current = firstRefresh
  const used = new Set<string>()
  let revoked = false
  let reuses = 0
  endpoint.answer = (request: TokenRequest, fresh) => {
    const presented = request.form.get('refresh_token') ?? ''
    if (used.has(presented)) {
      reuses++
      revoked = true
    }
    if (revoked || presented !== current) return { status: 400, body: { error: 'invalid_grant' } }
    used.add(presented)
    current = `rt-${randomBytes(8).toString('hex')}`
    return { body: { access_token: fresh(), token_type: 'Bearer', expires_in: options.expiresIn ?? 3600, refresh_token: current } }
  }
  return { reuses: () => reuses, current: () => current }
}
