/**
 * A real OAuth token endpoint on port 0 for the token tests: it records every request (form
 * parsed), answers with a fresh access token each time unless the test swaps the answer, and can
 * be slowed down. Plus key material for every JWS algorithm, generated once per test process.
 */
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { generateKeyPairSync, randomBytes, type KeyObject } from 'node:crypto'
import type { TeardownHost } from './redis.js'

export interface TokenRequest {
  method: string
  url: string
  headers: Record<string, string>
  body: string
  form: URLSearchParams
}

export interface TokenAnswer {
  status?: number
  /** A string is sent as is; anything else as JSON. */
  body?: unknown
  contentType?: string
  delayMs?: number
}

export interface TokenEndpoint {
  url: string
  port: number
  /** the listening server, e.g. to count its connections (see sockets.ts) */
  server: Server | undefined
  requests: TokenRequest[]
  /** Every access token handed out so far, in order. */
  issued: string[]
  /** Decides the answer per request; by default `{ access_token: <fresh>, expires_in }`. */
  answer: (request: TokenRequest, fresh: () => string) => TokenAnswer | Promise<TokenAnswer>
  /** Delay before every answer (ms). */
  delayMs: number
  /** `expires_in` of the default answer; undefined leaves it out. */
  expiresIn: number | undefined
}

export async function tokenEndpoint (t: TeardownHost, options: { expiresIn?: number, delayMs?: number } = {}): Promise<TokenEndpoint> {
  const endpoint: TokenEndpoint = {
    url: '',
    port: 0,
    server: undefined,
    requests: [],
    issued: [],
    delayMs: options.delayMs ?? 0,
    expiresIn: 'expiresIn' in options ? options.expiresIn : 3600,
    answer: (_request, fresh) => ({
      body: { access_token: fresh(), token_type: 'Bearer', ...(endpoint.expiresIn === undefined ? {} : { expires_in: endpoint.expiresIn }) },
    }),
  }
  const fresh = () => {
    const token = `at-${endpoint.issued.length + 1}-${randomBytes(12).toString('hex')}`
    endpoint.issued.push(token)
    return token
  }
  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = []
    for await (const chunk of req) chunks.push(chunk as Buffer)
    const body = Buffer.concat(chunks).toString('utf8')
    const request: TokenRequest = {
      method: req.method ?? '',
      url: req.url ?? '',
      headers: Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(', ') : v ?? ''])),
      body,
      form: new URLSearchParams(body),
    }
    endpoint.requests.push(request)
    try {
      const answer = await endpoint.answer(request, fresh)
      const delay = answer.delayMs ?? endpoint.delayMs
      // A client that gives up ends the wait: nothing is answered then anyway, and no timer
      // outlives the test.
      if (delay > 0) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, delay)
          res.once('close', () => { clearTimeout(timer); resolve() })
        })
      }
      if (res.destroyed) return
      const text = typeof answer.body === 'string' ? answer.body : answer.body === undefined ? '' : JSON.stringify(answer.body)
      res.writeHead(answer.status ?? 200, { 'content-type': answer.contentType ?? 'application/json' })
      res.end(text)
    } catch {
      res.destroy()
    }
  })
  server.keepAliveTimeout = 1000
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  t.teardown(() => new Promise<void>((resolve) => {
    server.closeAllConnections()
    server.close(() => resolve())
  }))
  endpoint.server = server
  endpoint.port = (server.address() as AddressInfo).port
  endpoint.url = `http://127.0.0.1:${endpoint.port}/oauth/token`
  return endpoint
}

/** A port nothing listens on (was free a moment ago). */
export async function closedPort (): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const port = (server.address() as AddressInfo).port
  await new Promise<void>((resolve) => server.close(() => resolve()))
  return port
}

export type Algorithm =
  | 'HS256' | 'HS384' | 'HS512'
  | 'RS256' | 'RS384' | 'RS512'
  | 'PS256' | 'PS384' | 'PS512'
  | 'ES256' | 'ES384' | 'ES512'
  | 'EdDSA'

export const ALGORITHMS: readonly Algorithm[] = [
  'HS256', 'HS384', 'HS512', 'RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA',
]

export interface KeyMaterial {
  /** What latchkey's `private_key` receives, per format available for this key type. */
  pkcs8?: string
  pkcs1?: string
  sec1?: string
  jwk?: string
  secret?: string
  /** What the test verifies with. */
  verify: KeyObject | Uint8Array
}

let rsa: KeyMaterial | undefined
const ec = new Map<string, KeyMaterial>()
let ed: KeyMaterial | undefined

function asymmetric (pair: { privateKey: KeyObject, publicKey: KeyObject }, extra: Partial<KeyMaterial>): KeyMaterial {
  return {
    pkcs8: pair.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string,
    jwk: JSON.stringify(pair.privateKey.export({ format: 'jwk' })),
    verify: pair.publicKey,
    ...extra,
  }
}

/** Key material for `algorithm`; RSA and EC keys are generated once per process. */
export function keyFor (algorithm: Algorithm): KeyMaterial {
  if (algorithm.startsWith('HS')) {
    const secret = `hmac-${algorithm}-${randomBytes(32).toString('hex')}`
    return { secret, verify: new TextEncoder().encode(secret) }
  }
  if (algorithm.startsWith('RS') || algorithm.startsWith('PS')) {
    if (rsa === undefined) {
      const pair = generateKeyPairSync('rsa', { modulusLength: 2048 })
      rsa = asymmetric(pair, { pkcs1: pair.privateKey.export({ type: 'pkcs1', format: 'pem' }) as string })
    }
    return rsa
  }
  if (algorithm === 'EdDSA') {
    ed ??= asymmetric(generateKeyPairSync('ed25519'), {})
    return ed
  }
  const curve = { ES256: 'P-256', ES384: 'P-384', ES512: 'P-521' }[algorithm as 'ES256' | 'ES384' | 'ES512']
  let material = ec.get(curve)
  if (material === undefined) {
    const pair = generateKeyPairSync('ec', { namedCurve: curve })
    material = asymmetric(pair, { sec1: pair.privateKey.export({ type: 'sec1', format: 'pem' }) as string })
    ec.set(curve, material)
  }
  return material
}
