/**
 * A fake OAuth 2.0 provider on port 0 for the connect-flow tests, and the steps of a browser
 * going through the flow with fetch (redirect: 'manual', cookie carried by hand):
 * - `GET /authorize` records its query and redirects to redirect_uri with code and state, as a
 *   real provider does (or with `error=...` when `deny` is set, plus `callbackExtra` params);
 * - `POST /token` records the exact request (headers, raw body) and answers `tokenAnswer`;
 * - any other path is the provider's API (`api`), recorded too.
 */
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { randomBytes } from 'node:crypto'
import type { TeardownHost } from './redis.js'
import { startGateway, type TestGateway } from './gateway.js'
import { APP_KEY, JWT_SECRET, RETURN_ORIGIN, createSession, submitForm } from './connect.js'

export interface Recorded {
  method: string
  url: string
  headers: Record<string, string>
  body: string
}

export interface ProviderAnswer {
  status?: number
  /** A string is sent as is; anything else as JSON. */
  body?: unknown
  contentType?: string
}

export interface OAuthProvider {
  url: string
  authorizeRequests: URLSearchParams[]
  tokenRequests: Recorded[]
  apiRequests: Recorded[]
  /** Codes handed out by /authorize, in order. */
  codes: string[]
  /** The answer of /token; by default a fresh access and refresh token, expires_in 3600. */
  tokenAnswer: (request: Recorded) => ProviderAnswer
  api: (request: Recorded) => ProviderAnswer
  /** When set, /authorize answers `error=<deny>` instead of a code. */
  deny: string | undefined
  /** More query parameters on the redirect back (QuickBooks' realmId). */
  callbackExtra: Record<string, string>
  /** Every token value the provider handed out (for secret scans). */
  issued: string[]
}

export async function oauthProvider (t: TeardownHost): Promise<OAuthProvider> {
  const fresh = (kind: string) => {
    const value = `${kind}-${randomBytes(12).toString('hex')}`
    provider.issued.push(value)
    return value
  }
  const provider: OAuthProvider = {
    url: '',
    authorizeRequests: [],
    tokenRequests: [],
    apiRequests: [],
    codes: [],
    issued: [],
    deny: undefined,
    callbackExtra: {},
    tokenAnswer: () => ({ body: { access_token: fresh('at'), refresh_token: fresh('rt'), expires_in: 3600, token_type: 'Bearer', scope: 'read write' } }),
    api: () => ({ body: { ok: true } }),
  }
  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = []
    for await (const chunk of req) chunks.push(chunk as Buffer)
    const recorded: Recorded = {
      method: req.method ?? '',
      url: req.url ?? '',
      headers: Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(', ') : v ?? ''])),
      body: Buffer.concat(chunks).toString('utf8'),
    }
    const url = new URL(recorded.url, 'http://provider')
    const send = (answer: ProviderAnswer) => {
      const text = typeof answer.body === 'string' ? answer.body : answer.body === undefined ? '' : JSON.stringify(answer.body)
      res.writeHead(answer.status ?? 200, { 'content-type': answer.contentType ?? 'application/json' }).end(text)
    }
    if (url.pathname === '/authorize') {
      provider.authorizeRequests.push(url.searchParams)
      const back = new URL(url.searchParams.get('redirect_uri') ?? 'http://invalid/')
      if (provider.deny !== undefined) back.searchParams.set('error', provider.deny)
      else {
        const code = fresh('code')
        provider.codes.push(code)
        back.searchParams.set('code', code)
      }
      const state = url.searchParams.get('state')
      if (state !== null) back.searchParams.set('state', state)
      for (const [k, v] of Object.entries(provider.callbackExtra)) back.searchParams.set(k, v)
      res.writeHead(302, { location: back.toString() }).end()
      return
    }
    if (url.pathname === '/token') {
      provider.tokenRequests.push(recorded)
      send(provider.tokenAnswer(recorded))
      return
    }
    provider.apiRequests.push(recorded)
    send(provider.api(recorded))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  t.teardown(() => new Promise<void>((resolve) => {
    server.closeAllConnections()
    server.close(() => resolve())
  }))
  provider.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  return provider
}

export interface OAuthYamlOptions {
  /** connector entries, indented by 2 spaces under `connectors:` */
  connectors: string
  publicUrl?: string
  browserBinding?: boolean
  logLevel?: 'debug' | 'info'
}

export function oauthYaml (options: OAuthYamlOptions): string {
  return `
server:
  host: 127.0.0.1
  port: 0
  allow_private_upstreams: true
  log_level: ${options.logLevel ?? 'debug'}
  public_url: ${options.publicUrl ?? 'http://connect.test'}
  connect: { return_to_origins: ["${RETURN_ORIGIN}"]${options.browserBinding === undefined ? '' : `, browser_binding: ${options.browserBinding}`} }
callers:
  api_keys:
    app: { key: "{{ get_secret('app_key') }}" }
  jwt:
    issuer: https://issuer.test/
    audience: latchkey
    secret: "{{ get_secret('jwt_secret') }}"
    algorithms: [HS256]
connectors:
${options.connectors}
`
}

export const CLIENT_SECRET = 'cs-provider-secret-9f8e7d6c5b4a'

/** A plain oauth2 connector `acme` on the fake provider; `method` lines are added to its method. */
export function acmeConnector (provider: OAuthProvider, method = '', connector = ''): string {
  return `  acme:
    name: Acme
    base_url: ${provider.url}/api
    auth:
      methods:
        oauth:
          type: oauth2
          authorize_url: ${provider.url}/authorize
          token_url: ${provider.url}/token
          client_id: acme-client
          client_secret: "{{ get_secret('client_secret') }}"
${method.split('\n').filter((l) => l.trim() !== '').map((l) => `          ${l}`).join('\n')}
${connector.split('\n').filter((l) => l.trim() !== '').map((l) => `    ${l}`).join('\n')}
`
}

export async function startOAuthGateway (t: TeardownHost, yaml: string): Promise<TestGateway> {
  return startGateway(t, yaml, { secrets: { app_key: APP_KEY, jwt_secret: JWT_SECRET, client_secret: CLIENT_SECRET } })
}

/** What one step of the browser saw. */
export interface FlowStep {
  /** The POST /connect/:token answer (302 to the provider, or a page). */
  submit: Response
  /** The provider's authorize URL latchkey sent the browser to. */
  authorize: URL | undefined
  /** The Set-Cookie latchkey set with it. */
  setCookie: string | null
  /** The URL the provider sent the browser back to (latchkey's callback). */
  callback: URL | undefined
  /** latchkey's answer to the callback. */
  result: Response | undefined
}

/** `name=value` of a Set-Cookie header, for sending it back. */
export function cookiePair (setCookie: string | null): string | undefined {
  return setCookie === null ? undefined : setCookie.split(';')[0]
}

/** The callback answer for `callback` on the gateway, with `cookie` (a `name=value`) or none. */
export async function callCallback (lk: TestGateway, callback: URL, cookie: string | undefined): Promise<Response> {
  return lk.fetch(`${callback.pathname}${callback.search}`, { redirect: 'manual', headers: cookie === undefined ? {} : { cookie } })
}

/**
 * Submits the connect form for an oauth2 method, follows latchkey's 302 to the provider, the
 * provider's 302 back, and calls latchkey's callback with the cookie (unless `cookie: false`).
 */
export async function oauthFlow (lk: TestGateway, token: string, values: Record<string, string> = {}, options: { auth?: string, cookie?: boolean | string } = {}): Promise<FlowStep> {
  const submit = await submitForm(lk, token, values, options.auth ?? 'oauth')
  const step: FlowStep = { submit, authorize: undefined, setCookie: submit.headers.get('set-cookie'), callback: undefined, result: undefined }
  if (submit.status !== 302) return step
  step.authorize = new URL(submit.headers.get('location')!)
  const back = await fetch(step.authorize, { redirect: 'manual' })
  await back.arrayBuffer()
  step.callback = new URL(back.headers.get('location')!)
  const cookie = typeof options.cookie === 'string' ? options.cookie : options.cookie === false ? undefined : cookiePair(step.setCookie)
  step.result = await callCallback(lk, step.callback, cookie)
  return step
}

/** A session for `connector` (default acme) as the app key. */
export async function oauthSession (lk: TestGateway, body: Record<string, unknown>): Promise<string> {
  const created = await createSession(lk, { connector: 'acme', ...body })
  if (created.status !== 201) throw new Error(`session not created: ${created.status} ${JSON.stringify(created.body)}`)
  return created.body.token
}
