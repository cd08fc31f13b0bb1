/**
 * Render -> obtain credential -> apply auth: everything between the access check and the
 * upstream call, shared by the data plane and the connection test.
 */
import type { Caller } from '../callers/types.js'
import { GatewayError } from '../errors.js'
import type { CompiledConnection } from '../runtime/connection.js'
import type { SecretLookup } from '../runtime/secrets.js'
import { assertSafeHeaderValue } from '../templates/header-value.js'
import type { TemplateContext } from '../templates/types.js'
import type { AuthOutcome, AuthScope, SignedRequest } from '../auth/types.js'
import type { RequestTrace } from '../observability/tracing.js'
import { resolveBase, type UpstreamBase } from './base-url.js'
import type { Upstreams } from './forward.js'
import { forwardRequestHeaders, type HeaderSource, type OutgoingHeaders } from './header-hygiene.js'
import { mergeQuery, parseCallerQuery, type CallerQuery, type QueryEntry } from './query.js'
import { renderCredentials, renderHeaders, renderQuery, templateContext } from './request-context.js'

export interface PreparedRequest {
  base: UpstreamBase
  /** path + query for the upstream, always starting with `/` */
  path: string
  headers: OutgoingHeaders
  context: TemplateContext
  /** What auth added: the connection test masks these values. */
  auth: AuthOutcome
  secrets: ReadonlyMap<string, string>
}

export interface PrepareInput {
  conn: CompiledConnection
  caller: Caller
  method: string
  /** forwarded path, checked by checkForwardPath */
  path: string
  rawQuery: string
  headers: HeaderSource
  /** latchkey's id of this request: the upstream gets it as X-Request-Id, for correlation. */
  requestId?: string
  /** The parameters of a buffered form body, for a method that signs them (oauth1). */
  form?: ReadonlyArray<readonly [string, string]>
  /** The request's spans when tracing is on. */
  trace?: RequestTrace | null
}

export interface PrepareDeps {
  secrets: SecretLookup
  upstreams: Upstreams
  allowPrivate: boolean
}

/**
 * Synchronous when the secrets are in memory and the auth method answers at once (api_key, a
 * cached token): the data plane then awaits nothing here. A failure is thrown, or rejected.
 */
export function prepareUpstreamRequest (input: PrepareInput, deps: PrepareDeps): PreparedRequest | Promise<PreparedRequest> {
  const secrets = deps.secrets(input.conn.secrets)
  return secrets instanceof Promise ? secrets.then((found) => prepareWith(input, deps, found)) : prepareWith(input, deps, secrets)
}

function prepareWith (input: PrepareInput, deps: PrepareDeps, secrets: ReadonlyMap<string, string>): PreparedRequest | Promise<PreparedRequest> {
  const { conn } = input
  const callerQuery = parseCallerQuery(input.rawQuery)
  const context = templateContext(conn, input.caller, input.method, input.path, callerQuery)
  renderCredentials(conn, context, secrets)
  const base = resolveBase(conn, context, secrets, deps.upstreams, deps.allowPrivate)
  // SPEC 5: `request.path` is the upstream path, base path included (what a request signature
  // covers). Only the base URL itself renders before it is known, and sees the forwarded rest.
  if (base.pathname !== '') context.request.path = `${base.pathname}${input.path}`
  const rendered: Rendered = {
    base, callerQuery, context, secrets,
    headers: renderHeaders(conn.headers, context, secrets),
    query: renderQuery(conn.query, context, secrets),
  }
  const key = `${conn.id}/${conn.methodName}`
  const scope: AuthScope = conn.auth.signsRequest === true
    ? { context, secrets, key, request: signedRequest(input, base, callerQuery, rendered.query) }
    : { context, secrets, key }
  // Traced: a token-based method's work (cache or token endpoint) is the request's `token` span.
  const trace = input.trace
  const auth = trace == null || !conn.auth.tokenBased ? conn.auth.apply(scope) : trace.token(conn, () => conn.auth.apply(scope))
  return auth instanceof Promise ? auth.then((outcome) => withAuth(input, rendered, outcome)) : withAuth(input, rendered, auth)
}

/** What was rendered before auth applied. */
interface Rendered {
  base: UpstreamBase
  callerQuery: CallerQuery
  context: TemplateContext
  secrets: ReadonlyMap<string, string>
  headers: ReturnType<typeof renderHeaders>
  query: readonly QueryEntry[]
}

function withAuth (input: PrepareInput, rendered: Rendered, auth: AuthOutcome): PreparedRequest {
  const { conn } = input
  const { base } = rendered
  const headers = forwardRequestHeaders(input.headers)
  // The id the caller sees in the response, never an unsafe value the caller sent.
  if (input.requestId !== undefined) headers['x-request-id'] = input.requestId
  for (const h of rendered.headers) {
    assertSendableHeader(h.key, h.value, `header ${h.key}`)
    if (!h.overridable || headers[h.key] === undefined) headers[h.key] = h.value
  }
  // Auth is applied last and always overwrites.
  for (const [name, value] of auth.headers) {
    assertSendableHeader(name, value, `auth header ${name}`)
    headers[name.toLowerCase()] = value
  }
  // A response template needs the body as text, not compressed.
  if (conn.responseBody !== undefined) headers['accept-encoding'] = 'identity'
  const query = mergeQuery(rendered.callerQuery, rendered.query, auth.query)
  const path = `${base.pathname}${input.path}` || '/'
  return { base, path: query === '' ? path : `${path}?${query}`, headers, context: rendered.context, auth, secrets: rendered.secrets }
}

/** What a signing method covers: the upstream URL and the query before auth adds to it. */
function signedRequest (input: PrepareInput, base: UpstreamBase, callerQuery: CallerQuery,
  connectorQuery: readonly QueryEntry[]): SignedRequest {
  const query = parseCallerQuery(mergeQuery(callerQuery, connectorQuery, [])).pairs.map((p) => [p.key, p.value] as const)
  // The path exactly as sent (below).
  const url = `${base.origin}${`${base.pathname}${input.path}` || '/'}`
  return input.form === undefined ? { method: input.method, url, query } : { method: input.method, url, query, form: input.form }
}

const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/
const NOT_HEADER_VALUE = /[^\t\x20-\x7e\x80-\xff]/

/**
 * Names that passed HEADER_NAME. They come from the config and the auth methods, so there are
 * few; a bound keeps the set small anyway. Checking the same names on every request was two
 * regular expressions per injected header, with the value's.
 */
const checkedNames = new Set<string>()
const MAX_CHECKED_NAMES = 1024

/**
 * A header latchkey rendered must be one undici will send. Otherwise undici throws a bare
 * UND_ERR_INVALID_ARG that reads as 502 upstream_unreachable although nothing was sent: it is
 * a template problem (500 template_error), reported without the value.
 */
function assertSendableHeader (name: string, value: string, label: string): void {
  // NOT_HEADER_VALUE also finds CR, LF and NUL: the narrower check only words the error.
  if (NOT_HEADER_VALUE.test(value)) {
    assertSafeHeaderValue(value, label)
    throw new GatewayError('template_error', `rendered value of ${label} contains a control or non-Latin-1 character`)
  }
  if (checkedNames.has(name)) return
  if (!HEADER_NAME.test(name)) throw new GatewayError('template_error', `${label}: not a valid HTTP header name`)
  if (checkedNames.size >= MAX_CHECKED_NAMES) checkedNames.clear()
  checkedNames.add(name)
}
