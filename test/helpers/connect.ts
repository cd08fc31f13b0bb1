/**
 * The connect-flow tests' shared config and steps: one YAML builder (callers, a `weather`
 * connector with a pattern input and a password input and a test request, a two-method
 * `multi` connector, an oauth2-only one) and small helpers for the HTTP steps.
 */
import { SignJWT } from 'jose'
import { startGateway, type TestGateway, type TestGatewayOptions } from './gateway.js'
import type { TeardownHost } from './redis.js'

export const APP_KEY = 'ck-connect-app-5e6f7a8b9c'
export const JWT_SECRET = 'hs256-connect-secret-0a1b2c3d4e5f'
export const RETURN_ORIGIN = 'https://app.example.com'

export interface ConnectYamlOptions {
  /** where the connectors send requests (a recordingUpstream) */
  upstream: string
  returnToOrigins?: string[]
  /** e.g. `cache: { type: redis, ... }` and `store: ...` lines */
  extra?: string
  publicUrl?: string
  logLevel?: 'debug' | 'info'
  bodyLimit?: string
}

export function connectYaml (options: ConnectYamlOptions): string {
  const origins = options.returnToOrigins ?? [RETURN_ORIGIN]
  return `
server:
  host: 127.0.0.1
  port: 0
  allow_private_upstreams: true
  log_level: ${options.logLevel ?? 'info'}
  body_limit: ${options.bodyLimit ?? '10mb'}
  public_url: ${options.publicUrl ?? 'http://connect.test'}
  connect: { return_to_origins: ${JSON.stringify(origins)} }
callers:
  api_keys:
    app: { key: "{{ get_secret('app_key') }}" }
  jwt:
    issuer: https://issuer.test/
    audience: latchkey
    secret: "{{ get_secret('jwt_secret') }}"
    algorithms: [HS256]
connectors:
  weather:
    name: Weather API
    description: Current weather for your sites
    domain: weatherapi.com
    base_url: ${options.upstream}
    auth:
      methods:
        key: { type: api_key, key: X-Api-Key, value: "{{ connection.credentials.api_key }}", in: header }
    inputs:
      - { name: subdomain, label: Subdomain, type: text, required: true, pattern: "^[a-z0-9-]+$", pattern_error: "letters, digits and dashes", help: "The first part of your account URL", placeholder: acme }
      - { name: api_key, label: API key, type: password, required: true }
    test: { method: GET, path: "/v1/ping?site={{ connection.config.subdomain }}", expect_status: 200 }
  multi:
    name: Multi Auth
    base_url: ${options.upstream}
    auth:
      default: token
      methods:
        token: { type: bearer, token: "{{ connection.credentials.token }}" }
        login: { type: basic, username: "{{ connection.config.username }}", password: "{{ connection.credentials.password }}" }
        sso: { type: oauth2, authorize_url: "https://sso.example.com/authorize", token_url: "https://sso.example.com/token", client_id: cid, client_secret: csecret }
    inputs:
      - { name: token, label: Access token, type: password, required: true }
      - { name: username, label: Username, type: text, required: true }
      - { name: password, label: Password, type: password, required: true }
    test: { path: /me }
${options.extra ?? ''}
`
}

export const SECRETS = { app_key: APP_KEY, jwt_secret: JWT_SECRET }

export async function startConnectGateway (t: TeardownHost, options: ConnectYamlOptions, gatewayOptions: TestGatewayOptions = {}): Promise<TestGateway> {
  return startGateway(t, connectYaml(options), { ...gatewayOptions, secrets: { ...SECRETS, ...gatewayOptions.secrets } })
}

export async function userToken (sub: string): Promise<string> {
  return new SignJWT({}).setProtectedHeader({ alg: 'HS256' }).setSubject(sub).setIssuer('https://issuer.test/').setAudience('latchkey')
    .setIssuedAt().setExpirationTime('10m').sign(new TextEncoder().encode(JWT_SECRET))
}

export interface CreatedSession { status: number, body: { token: string, url: string, expires_at: string, error?: { code: string } } }

/** POST /connect/sessions as the `app` api key unless other headers are given. */
export async function createSession (lk: { fetch: TestGateway['fetch'] }, body: unknown, headers: Record<string, string> = { 'x-latchkey-key': APP_KEY }): Promise<CreatedSession> {
  const res = await lk.fetch('/connect/sessions', { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) })
  return { status: res.status, body: await res.json() as CreatedSession['body'] }
}

/** Submits the connect form: `values` by input name, `auth` the method field. */
export async function submitForm (lk: { fetch: TestGateway['fetch'] }, token: string, values: Record<string, string>, auth?: string): Promise<Response> {
  const form = new URLSearchParams()
  if (auth !== undefined) form.set('auth', auth)
  for (const [name, value] of Object.entries(values)) form.set(`v:${name}`, value)
  return lk.fetch(`/connect/${token}`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: form.toString(), redirect: 'manual' })
}
