/**
 * SPEC 6.3: what the caller's headers may carry to the upstream, and what the upstream's
 * headers may carry back. Pure functions over precomputed Sets; nothing compiled per request.
 */
import type { IncomingHttpHeaders } from 'node:http'
import { util } from 'undici'
import { newRequestId } from './request-id.js'

export type HeaderValue = string | string[]
/** Lower-case names; a fresh object the caller may mutate. */
export type OutgoingHeaders = Record<string, HeaderValue>
/** Node's parsed headers, or `rawHeaders` ([name, value, name, value, ...]). */
export type HeaderSource = IncomingHttpHeaders | Readonly<Record<string, HeaderValue | undefined>> | readonly string[]

/** RFC 9110 7.6.1 connection-specific fields, plus the de-facto ones. */
const HOP_BY_HOP = [
  'connection', 'keep-alive', 'proxy-connection', 'te', 'trailer', 'transfer-encoding', 'upgrade',
  'proxy-authenticate', 'proxy-authorization', 'http2-settings',
] as const

const REQUEST_REMOVED: ReadonlySet<string> = new Set<string>([
  ...HOP_BY_HOP,
  // The caller's own credentials and cookies are for latchkey, never for the third party.
  'authorization', 'x-latchkey-key', 'cookie',
  // Client-address claims the caller could forge; the upstream sees latchkey as the client.
  'forwarded', 'x-real-ip',
  // Set by the HTTP client to the upstream host.
  'host',
  // undici refuses `expect` (no 100-continue support); the body is streamed anyway.
  'expect',
  // Method and URL overrides: an upstream that honours them would run another method or path
  // than the one the `allow` rules checked (SPEC 6.3).
  'x-http-method-override', 'x-http-method', 'x-method-override', 'x-original-url', 'x-rewrite-url',
  // A browser's origin means nothing to a server-to-server call and makes some APIs refuse it
  // as a browser request.
  'origin',
])
const REQUEST_REMOVED_PREFIXES = ['proxy-', 'x-forwarded-', 'x-latchkey-'] as const

const ALWAYS_REMOVED_FROM_RESPONSE = [
  ...HOP_BY_HOP,
  // Cookies of the upstream would land on latchkey's origin, and the caller's Cookie header is
  // never forwarded, so they could not work anyway.
  'set-cookie', 'set-cookie2',
  // Latchkey's CORS policy (callers.cors) is the only one: an upstream's permissive
  // `Access-Control-Allow-Origin: *` or `-Allow-Credentials: true` would widen it, or override
  // the value latchkey set for an allowed origin.
  'timing-allow-origin',
] as const
const RESPONSE_REMOVED_PREFIXES = ['access-control-'] as const

/**
 * Headers for the upstream request, before latchkey adds connector headers and auth.
 *
 * Call this BEFORE applying connector headers and auth, and apply those to the returned object:
 * the names listed in the caller's `Connection` header are removed here, from the caller's copy
 * only, so a caller cannot use `Connection: authorization` to strip what latchkey injects.
 */
export function forwardRequestHeaders (incoming: HeaderSource): OutgoingHeaders {
  return copyHeaders(incoming, REQUEST_REMOVED, REQUEST_REMOVED_PREFIXES)
}

export interface ResponseHeaderFilter {
  readonly removed: ReadonlySet<string>
}

/** At load, per connector: hop-by-hop, Set-Cookie and CORS always, plus `response.remove_headers`. */
export function compileResponseHeaderFilter (removeList: readonly string[] = []): ResponseHeaderFilter {
  const removed = new Set<string>(ALWAYS_REMOVED_FROM_RESPONSE)
  for (const name of removeList) removed.add(name.trim().toLowerCase())
  return Object.freeze({ removed })
}

/** Headers of the upstream response that may go back to the caller. */
export function filterResponseHeaders (upstream: HeaderSource, filter: ResponseHeaderFilter): OutgoingHeaders {
  // The upstream's Connection header names more hop-by-hop fields for this one hop.
  return copyHeaders(upstream, filter.removed, RESPONSE_REMOVED_PREFIXES)
}

/**
 * filterResponseHeaders straight from the upstream's raw header lines as undici hands them to a
 * dispatch handler (names and values as Buffers), without undici's parseHeaders object in
 * between: one object built instead of two, and the names come lower-case (and, for the known
 * ones, as the same string every time) from undici's own name table. The parsed object and its
 * copy had been the largest part of the relay's cost per response after undici's parser.
 */
export function filterRawResponseHeaders (raw: readonly Buffer[], filter: ResponseHeaderFilter): OutgoingHeaders {
  const { removed } = filter
  let named: Set<string> | undefined
  for (let i = 0; i + 1 < raw.length; i += 2) {
    if (raw[i]!.length === 10 && util.headerNameToString(raw[i]!) === 'connection') named = addTokens(named, raw[i + 1]!.toString('latin1'), removed)
  }
  const out: OutgoingHeaders = {}
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = util.headerNameToString(raw[i]!)
    if (!dropped(name, removed, named, RESPONSE_REMOVED_PREFIXES)) append(out, name, raw[i + 1]!.toString('latin1'))
  }
  return out
}

/** The first value of header `name` (lower-case) in raw header lines, if any. */
export function rawHeaderValue (raw: readonly Buffer[], name: string): string | undefined {
  for (let i = 0; i + 1 < raw.length; i += 2) {
    if (raw[i]!.length === name.length && util.headerNameToString(raw[i]!) === name) return raw[i + 1]!.toString('latin1')
  }
  return undefined
}

const SAFE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/

/** The caller's `X-Request-Id` when it is a safe token, else a fresh UUID. */
export function safeRequestId (value: string | string[] | undefined): string {
  return typeof value === 'string' && SAFE_REQUEST_ID.test(value) ? value : newRequestId()
}

/**
 * Copies every header not in `removed`, not starting with one of `prefixes` and not named in
 * the source's own `Connection` header, into a fresh plain object (a null-prototype object
 * measured about 3x slower per call). Own-property checks keep inherited names (`constructor`)
 * from looking like earlier values, and `__proto__` is dropped so no header touches the prototype.
 */
function copyHeaders (source: HeaderSource, removed: ReadonlySet<string>, prefixes: readonly string[]): OutgoingHeaders {
  const out: OutgoingHeaders = {}
  if (isRaw(source)) {
    let named: Set<string> | undefined
    for (let i = 0; i + 1 < source.length; i += 2) {
      const name = source[i] as string
      if (name.length === 10 && name.toLowerCase() === 'connection') named = addTokens(named, source[i + 1] as string, removed)
    }
    for (let i = 0; i + 1 < source.length; i += 2) {
      const name = (source[i] as string).toLowerCase()
      if (!dropped(name, removed, named, prefixes)) append(out, name, source[i + 1] as string)
    }
    return out
  }
  const headers = source as Readonly<Record<string, HeaderValue | undefined>>
  let named: Set<string> | undefined
  for (const key in headers) {
    const value = headers[key]
    if (key.length !== 10 || value === undefined || key.toLowerCase() !== 'connection') continue
    if (typeof value === 'string') named = addTokens(named, value, removed)
    else for (const line of value) named = addTokens(named, line, removed)
  }
  for (const key in headers) {
    const value = headers[key]
    if (value === undefined || !Object.hasOwn(headers, key)) continue
    const name = key.toLowerCase()
    if (!dropped(name, removed, named, prefixes)) append(out, name, value)
  }
  return out
}

function dropped (name: string, removed: ReadonlySet<string>, named: Set<string> | undefined, prefixes: readonly string[]): boolean {
  return name === '__proto__' || removed.has(name) || named?.has(name) === true || hasPrefix(name, prefixes)
}

function isRaw (source: HeaderSource): source is readonly string[] {
  return Array.isArray(source)
}

/**
 * Adds the lower-case field names listed in one `Connection` value, except those removed anyway:
 * the usual `Connection: keep-alive` then needs no Set (it was ~1% of the api_key profile, on
 * every upstream response).
 */
function addTokens (tokens: Set<string> | undefined, value: string, removed: ReadonlySet<string>): Set<string> | undefined {
  if (value.indexOf(',') === -1) return addToken(tokens, value, removed)
  for (const token of value.split(',')) tokens = addToken(tokens, token, removed)
  return tokens
}

function addToken (tokens: Set<string> | undefined, token: string, removed: ReadonlySet<string>): Set<string> | undefined {
  const t = token.trim().toLowerCase()
  if (t !== '' && !removed.has(t)) (tokens ??= new Set()).add(t)
  return tokens
}

function hasPrefix (name: string, prefixes: readonly string[]): boolean {
  for (const p of prefixes) if (name.startsWith(p)) return true
  return false
}

function append (out: OutgoingHeaders, name: string, value: HeaderValue): void {
  const prev = Object.hasOwn(out, name) ? out[name] : undefined
  if (prev === undefined) out[name] = Array.isArray(value) ? [...value] : value
  else out[name] = [...(typeof prev === 'string' ? [prev] : prev), ...(typeof value === 'string' ? [value] : value)]
}
