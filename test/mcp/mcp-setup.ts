/**
 * The shared setup of the /mcp tests: a recording upstream (404 under /missing, else a JSON echo
 * of what it got), a `crm` connector with list/read/create/update actions, api-key callers
 * `agent` (may use `crm-main`) and `stranger` (may use `crm-other` only), user callers (HS256),
 * and clients built on the official SDKs (2.x client in either era, 1.x sdk).
 */
import { SignJWT } from 'jose'
import { Client } from '@modelcontextprotocol/client'
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/client'
import { Client as ClientV1 } from '@modelcontextprotocol/sdk/client/index.js'
import { StreamableHTTPClientTransport as TransportV1 } from '@modelcontextprotocol/sdk/client/streamableHttp.js'
import { startGateway, type TestGateway } from '../helpers/gateway.js'
import { recordingUpstream, type RecordingUpstream } from '../helpers/upstream.js'
import type { TeardownHost } from '../helpers/redis.js'

export const AGENT_KEY = 'mcp-agent-key-4f1e9a'
export const STRANGER_KEY = 'mcp-stranger-key-7b2c0d'
export const CRM_TOKEN = 'crm-upstream-token-91ad3e'
export const OTHER_TOKEN = 'crm-other-token-5c88f0'
export const JWT_SECRET = 'mcp-hs256-secret-0a1b2c3d4e5f6a7b'
export const ISSUER = 'https://issuer.test/'
export const SECRETS = [AGENT_KEY, STRANGER_KEY, CRM_TOKEN, OTHER_TOKEN, JWT_SECRET]

export interface McpSetup {
  lk: TestGateway
  upstream: RecordingUpstream
  mcpUrl: URL
}

export interface McpSetupOptions {
  /** Adds `callers.jwt` (HS256, issuer ISSUER, audience latchkey). */
  users?: boolean
  /** server.body_limit */
  bodyLimit?: string
}

export function crmYaml (upstreamUrl: string, options: McpSetupOptions = {}): string {
  return `server:
  allow_private_upstreams: true
  public_url: https://gw.example.com
${options.bodyLimit === undefined ? '' : `  body_limit: ${options.bodyLimit}\n`}callers:
  api_keys:
    agent: { key: "{{ get_secret('agent_key') }}" }
    stranger: { key: "{{ get_secret('stranger_key') }}" }
${options.users === true ? `  jwt: { issuer: "${ISSUER}", audience: latchkey, secret: "{{ get_secret('jwt_secret') }}", algorithms: [HS256] }\n` : ''}connectors:
  crm:
    name: Acme CRM
    description: customer records
    base_url: ${upstreamUrl}
    auth:
      default: token
      methods:
        token: { type: bearer, token: "{{ connection.credentials.token }}" }
    capabilities:
      entities:
        contact:
          actions:
            list: { method: GET, path: /contacts, description: List contacts }
            read: { method: GET, path: "/contacts/{{ params.id }}" }
            create: { method: POST, path: /contacts }
            update: { method: PATCH, path: "/contacts/{{ params.id }}" }
            missing: { method: GET, path: /missing/thing }
connections:
  crm-main:
    connector: crm
    credentials: { token: "{{ get_secret('crm_token') }}" }
    access: { callers: [agent] }
  crm-other:
    connector: crm
    credentials: { token: "{{ get_secret('other_token') }}" }
    access: { callers: [stranger] }
`
}

export async function startMcpGateway (t: TeardownHost, options: McpSetupOptions = {}): Promise<McpSetup> {
  const upstream = await recordingUpstream(t, (req, res, received) => {
    if (req.url?.startsWith('/missing') === true) {
      res.writeHead(404, { 'content-type': 'application/json' })
      res.end('{"error":"no such thing"}')
      return
    }
    res.writeHead(200, { 'content-type': 'application/json' })
    res.end(JSON.stringify({ method: received.method, url: received.url, body: received.body.toString('utf8') }))
  })
  const lk = await startGateway(t, crmYaml(upstream.url, options), {
    secrets: { agent_key: AGENT_KEY, stranger_key: STRANGER_KEY, crm_token: CRM_TOKEN, other_token: OTHER_TOKEN, jwt_secret: JWT_SECRET },
  })
  return { lk, upstream, mcpUrl: new URL(`${lk.url}/mcp`) }
}

export function userToken (sub: string, secret = JWT_SECRET): Promise<string> {
  return new SignJWT({}).setProtectedHeader({ alg: 'HS256' }).setSubject(sub).setIssuer(ISSUER).setAudience('latchkey')
    .setIssuedAt().setExpirationTime('10m').sign(new TextEncoder().encode(secret))
}

/** The text of a tool result's first content block. */
export function resultText (result: object): string {
  const first = ((result as { content?: unknown }).content as Array<{ type: string, text?: string }> | undefined)?.[0]
  return first?.type === 'text' ? first.text ?? '' : ''
}

export type Era = 'modern' | 'legacy'

/** A connected 2.x client: `modern` pins protocol 2026-07-28, `legacy` opens with initialize. */
export async function clientV2 (t: TeardownHost, url: URL, headers: Record<string, string>, era: Era): Promise<Client> {
  const client = new Client({ name: 'latchkey-test', version: '1.0.0' }, era === 'modern' ? { versionNegotiation: { mode: { pin: '2026-07-28' } } } : {})
  await client.connect(new StreamableHTTPClientTransport(url, { requestInit: { headers } }))
  t.teardown(() => client.close())
  return client
}

/** A connected 1.x client (the @modelcontextprotocol/sdk most agents ship today). */
export async function clientV1 (t: TeardownHost, url: URL, headers: Record<string, string>): Promise<ClientV1> {
  const client = new ClientV1({ name: 'latchkey-test-v1', version: '1.0.0' })
  await client.connect(new TransportV1(url, { requestInit: { headers } }))
  t.teardown(() => client.close())
  return client
}
