/**
 * A real authorization server for the OAuth2 end-to-end tests: oidc-provider (a certified
 * OpenID provider) on 127.0.0.1 port 0, with PKCE required, refresh-token rotation on every use
 * (a rotated refresh token presented again revokes the grant: reuse detection), short-lived
 * access tokens, and its development login and consent pages for a browser to click through.
 * Its userinfo endpoint (`/me`) is what the tests' upstream asks to check a token is live.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import Provider from 'oidc-provider'
import type { TeardownHost } from './redis.js'

export const IDP_CLIENT_ID = 'latchkey-e2e'
export const IDP_CLIENT_SECRET = 'idp-client-secret-5d6e7f8a9b0c1d2e'

export interface TestIdp {
  issuer: string
  /** Every token-endpoint request's grant type, in order. */
  grants: string[]
  /** invalid_grant answers of the token endpoint (a reused or revoked refresh token). */
  refreshErrors: () => number
}

export async function startIdp (t: TeardownHost, options: { redirectUri: string, accessTokenTtlS?: number }): Promise<TestIdp> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  const provider = new Provider(issuer, {
    clients: [{
      client_id: IDP_CLIENT_ID,
      client_secret: IDP_CLIENT_SECRET,
      redirect_uris: [options.redirectUri],
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_post',
    }],
    pkce: { required: () => true },
    rotateRefreshToken: () => true,
    ttl: { AccessToken: options.accessTokenTtlS ?? 60, IdToken: 3600, AuthorizationCode: 60, Grant: 3600, Session: 3600, Interaction: 600, RefreshToken: 3600 },
    features: { devInteractions: { enabled: true } },
    scopes: ['openid', 'offline_access'],
    findAccount: async (_ctx: unknown, sub: string) => ({ accountId: sub, claims: async () => ({ sub }) }),
    cookies: { keys: ['e2e-cookie-key-not-a-secret-of-latchkey'] },
  })
  const grants: string[] = []
  let refreshErrors = 0
  provider.on('grant.error', (ctx: { oidc?: { params?: { grant_type?: string } } }, err: { error?: string }) => {
    if (ctx.oidc?.params?.grant_type === 'refresh_token' && err.error === 'invalid_grant') refreshErrors++
  })
  provider.on('grant.success', (ctx: { oidc?: { params?: { grant_type?: string } } }) => { grants.push(ctx.oidc?.params?.grant_type ?? '') })
  const callback = provider.callback()
  server.on('request', (req: IncomingMessage, res: ServerResponse) => { callback(req, res) })
  t.teardown(() => new Promise<void>((resolve) => {
    server.closeAllConnections()
    server.close(() => resolve())
  }))
  return { issuer, grants, refreshErrors: () => refreshErrors }
}
