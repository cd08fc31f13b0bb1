/**
 * One POST to a token endpoint (RFC 6749 section 4.4 / RFC 7523): form-encoded request, JSON
 * answer. Every failure is 502 token_exchange_failed with a message that names the failure and
 * never a credential: the provider's `error` code is kept only when it is a registered one, its
 * `error_description` never (providers echo client ids and assertions in it).
 */
import type { Dispatcher } from 'undici'
import { GatewayError } from '../errors.js'

export interface TokenEndpointRequest {
  dispatcher: Dispatcher
  url: string
  form: ReadonlyArray<readonly [string, string]>
  /** client_auth: basic */
  basic?: { username: string, password: string }
  timeoutMs: number
  /** The request body: form-encoded (default, RFC 6749) or a JSON object (Notion). */
  format?: 'form' | 'json'
  /** Dot path to the object that holds access_token (Slack's user token: `authed_user`). */
  tokenPath?: string
}

export interface TokenResponse {
  access_token: string
  expires_in: unknown
  /** The object access_token was found in (the answer itself, or the one at tokenPath). */
  token: Readonly<Record<string, unknown>>
  /** Every field of the answer (refresh_token, scope, metadata...). */
  body: Readonly<Record<string, unknown>>
}

/** What a failed token request knew: the registered OAuth error, when the endpoint sent one. */
export interface TokenFailure {
  oauthError?: string
  status?: number
}

/** The registered OAuth `error` of a failed token request (e.g. `invalid_grant`), if any. */
export function oauthErrorOf (err: unknown): string | undefined {
  return ((err as { cause?: TokenFailure } | undefined)?.cause)?.oauthError
}

const MAX_BODY = 256 * 1024
/**
 * Registered OAuth error codes (RFC 6749 5.2, 6750 3.1, 8628 3.5, 8707, 9449): the only `error`
 * values repeated in a message. A provider may put anything in `error`, a token included.
 */
const OAUTH_ERRORS = new Set([
  'invalid_request', 'invalid_client', 'invalid_grant', 'unauthorized_client', 'unsupported_grant_type',
  'invalid_scope', 'access_denied', 'server_error', 'temporarily_unavailable', 'invalid_token',
  'insufficient_scope', 'authorization_pending', 'slow_down', 'expired_token', 'invalid_target',
  'invalid_dpop_proof', 'use_dpop_nonce',
])

export async function requestToken (req: TokenEndpointRequest, code: 'token_exchange_failed' | 'token_refresh_failed' = 'token_exchange_failed'): Promise<TokenResponse> {
  const fail = (message: string, failure: TokenFailure = {}) => new GatewayError(code, message, { cause: failure })
  let url: URL
  try {
    url = new URL(req.url)
  } catch {
    throw fail('token_url is not an absolute URL')
  }
  const json = req.format === 'json'
  const headers: Record<string, string> = {
    'content-type': json ? 'application/json' : 'application/x-www-form-urlencoded',
    accept: 'application/json',
  }
  if (req.basic !== undefined) {
    headers.authorization = `Basic ${Buffer.from(`${req.basic.username}:${req.basic.password}`, 'utf8').toString('base64')}`
  }
  const body = json
    ? JSON.stringify(Object.fromEntries(req.form))
    : new URLSearchParams(req.form as Array<[string, string]>).toString()

  // One deadline for the whole exchange (headers and body), on a native timer: undici runs its
  // own timeouts on a ~1 s resolution timer, which let an 800 ms answer through a 300 ms
  // token_timeout. undici's stay as a backstop.
  const deadline = new AbortController()
  const timer = setTimeout(() => deadline.abort(), req.timeoutMs)
  const late = () => fail('the token endpoint did not answer in time')
  let res: Dispatcher.ResponseData
  let text: string
  try {
    try {
      res = await req.dispatcher.request({
        origin: url.origin,
        path: `${url.pathname}${url.search}`,
        method: 'POST',
        headers,
        body,
        headersTimeout: req.timeoutMs,
        bodyTimeout: req.timeoutMs,
        signal: deadline.signal,
      })
    } catch (err) {
      const errCode = (err as { code?: string }).code
      if (deadline.signal.aborted || errCode === 'UND_ERR_HEADERS_TIMEOUT' || errCode === 'UND_ERR_BODY_TIMEOUT') throw late()
      throw fail(`the token endpoint could not be reached (${errCode ?? 'network error'})`)
    }
    try {
      text = await readLimited(res.body, MAX_BODY)
    } catch {
      throw deadline.signal.aborted ? late() : fail('the token endpoint answer could not be read')
    }
  } finally {
    clearTimeout(timer)
  }
  const parsed = parseJson(text) ?? parseForm(text, res.headers['content-type'])
  const registered = typeof parsed?.error === 'string' && OAUTH_ERRORS.has(parsed.error) ? parsed.error : undefined
  const failure: TokenFailure = { status: res.statusCode, ...(registered === undefined ? {} : { oauthError: registered }) }
  if (res.statusCode < 200 || res.statusCode >= 300) {
    throw fail(`the token endpoint answered ${res.statusCode}${registered === undefined ? '' : ` (${registered})`}`, failure)
  }
  if (parsed === undefined) throw fail('the token endpoint answered without a JSON body', failure)
  // Some providers (GitHub, Slack) answer 200 with an `error` field.
  if (registered !== undefined) throw fail(`the token endpoint answered ${res.statusCode} with an error (${registered})`, failure)
  const holder = req.tokenPath === undefined ? parsed : objectAt(parsed, req.tokenPath)
  const token = holder?.access_token
  if (holder === undefined || typeof token !== 'string' || token === '') throw fail('the token endpoint answered without an access_token', failure)
  if (/[\r\n\0]/.test(token)) throw fail('the token endpoint answered an access_token with control characters', failure)
  return { access_token: token, expires_in: holder.expires_in ?? parsed.expires_in, token: holder, body: parsed }
}

/** The object at a dot path (`authed_user`, `data.token`), or undefined. */
function objectAt (value: Record<string, unknown>, path: string): Record<string, unknown> | undefined {
  let at: unknown = value
  for (const key of path.split('.')) {
    if (at === null || typeof at !== 'object' || Array.isArray(at)) return undefined
    at = (at as Record<string, unknown>)[key]
  }
  return at !== null && typeof at === 'object' && !Array.isArray(at) ? at as Record<string, unknown> : undefined
}

async function readLimited (stream: Dispatcher.ResponseData['body'], limit: number): Promise<string> {
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of stream) {
    size += (chunk as Buffer).length
    if (size > limit) {
      stream.destroy()
      throw new Error('too large')
    }
    chunks.push(chunk as Buffer)
  }
  return Buffer.concat(chunks).toString('utf8')
}

function parseJson (text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text)
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? value as Record<string, unknown> : undefined
  } catch {
    return undefined
  }
}

/** GitHub's token endpoint answers form-encoded unless told otherwise; accept that too. */
function parseForm (text: string, contentType: string | string[] | undefined): Record<string, unknown> | undefined {
  const type = Array.isArray(contentType) ? contentType[0] : contentType
  if (type === undefined || !type.startsWith('application/x-www-form-urlencoded')) return undefined
  return Object.fromEntries(new URLSearchParams(text))
}
