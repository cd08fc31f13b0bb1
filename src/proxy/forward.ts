/**
 * Sends a request upstream with undici and maps transport failures to gateway errors.
 * One Agent per trust level keeps a keep-alive pool per upstream origin; redirects are never
 * followed (the 3xx goes back to the caller), TLS is always verified.
 */
import type { Readable } from 'node:stream'
import { Agent, type Dispatcher } from 'undici'
import { GatewayError } from '../errors.js'
import { guardedLookup, HOST_NOT_ALLOWED } from './host-guard.js'

export interface Upstreams {
  /** Base URLs written by the operator. */
  readonly trusted: Dispatcher
  /** Base URLs built from templates: private addresses refused at connect time. */
  readonly guarded: Dispatcher
  close (): Promise<void>
}

export function createUpstreams ({ allowPrivate }: { allowPrivate: boolean }): Upstreams {
  const options: Agent.Options = {
    keepAliveTimeout: 30_000,
    keepAliveMaxTimeout: 600_000,
    connect: { rejectUnauthorized: true, timeout: 10_000 },
  }
  const trusted = new Agent(options)
  const guarded = allowPrivate ? trusted : new Agent({ ...options, connect: { ...options.connect, lookup: guardedLookup } })
  return {
    trusted,
    guarded,
    async close () {
      await Promise.all([...new Set([trusted, guarded])].map((a) => a.close()))
    },
  }
}

export interface UpstreamRequest {
  dispatcher: Dispatcher
  origin: string
  /** path and query, already safe and encoded */
  path: string
  method: string
  headers: Record<string, string | string[]>
  body: Readable | Buffer | null
  timeoutMs: number
}

/** What undici is asked to do for an upstream request, on the piped and the relayed path alike (`signal`: the piped path's abort). */
export function dispatchOptions (req: UpstreamRequest, signal?: AbortSignal): Dispatcher.RequestOptions {
  return {
    origin: req.origin,
    path: req.path,
    method: req.method as Dispatcher.HttpMethod,
    headers: req.headers,
    body: req.body,
    // Both of undici's timers get one value. upstream_timeout itself is enforced by latchkey's
    // own native timer (sendUpstream, relay.ts); undici's headers timer is only a backstop. With
    // two values, undici's parser replaced its timer twice per request (headers, then body), and
    // each replaced timer stayed in undici's timer list until its next 0.5 s sweep: old enough
    // to be promoted, feeding the full GCs of the api_key bench. With one value it is refreshed.
    headersTimeout: undiciTimeoutMs(req.timeoutMs),
    bodyTimeout: undiciTimeoutMs(req.timeoutMs),
    signal,
  }
}

/** An idle streamed body (server-sent events) may legitimately pause; cap it generously. */
const BODY_TIMEOUT_MS = 300_000

const undiciTimeoutMs = (upstreamTimeoutMs: number): number => Math.max(upstreamTimeoutMs, BODY_TIMEOUT_MS)

/** The reason the headers timer aborts with; any other reason is the caller's. */
const HEADERS_TIMEOUT = Symbol('upstream headers timeout')

/**
 * The code of the error an upstream request is aborted with because of the caller (its
 * connection closed, its upload failed): undici's own for an aborted request.
 */
export const CALLER_ABORTED = 'UND_ERR_ABORTED'

/**
 * `abort`, when given, is the caller's: aborting it (the caller went away) stops the request.
 * The headers timer aborts this same controller, so one request needs one controller and no
 * AbortSignal.any (which cost a second signal, a listener on each source and a WeakRef per
 * request in the profile).
 */
export async function sendUpstream (req: UpstreamRequest, abort = new AbortController()): Promise<Dispatcher.ResponseData> {
  // undici runs headersTimeout on a coarse timer (about 1 s resolution: a 300 ms timeout fired
  // after up to 1 s, letting an 800 ms answer through). A native timer enforces
  // upstream_timeout; undici's stays as a backstop. Cleared once the headers are in, so it
  // never cuts a streamed body.
  const timer = setTimeout(() => abort.abort(HEADERS_TIMEOUT), req.timeoutMs)
  try {
    return await req.dispatcher.request(dispatchOptions(req, abort.signal))
  } catch (err) {
    if (abort.signal.aborted) throw upstreamError({ code: abort.signal.reason === HEADERS_TIMEOUT ? 'UND_ERR_HEADERS_TIMEOUT' : CALLER_ABORTED })
    throw upstreamError(err)
  } finally {
    clearTimeout(timer)
  }
}

export function upstreamError (err: unknown): GatewayError {
  if (err instanceof GatewayError) return err
  const code = (err as { code?: string }).code ?? ''
  const cause = (err as { cause?: { code?: string } }).cause
  if (code === 'LATCHKEY_PRIVATE_ADDRESS' || cause?.code === 'LATCHKEY_PRIVATE_ADDRESS') {
    return new GatewayError('invalid_path', HOST_NOT_ALLOWED)
  }
  if (code === 'UND_ERR_HEADERS_TIMEOUT') {
    return new GatewayError('upstream_timeout', 'the upstream did not answer in time')
  }
  // Nobody reads this answer; it is for the log, which must not blame the upstream.
  if (code === CALLER_ABORTED) {
    return new GatewayError('upstream_unreachable', 'the caller closed the connection before the upstream answered')
  }
  return new GatewayError('upstream_unreachable', `the upstream could not be reached (${describeTransportError(code)})`)
}

function describeTransportError (code: string): string {
  switch (code) {
    case 'ECONNREFUSED': return 'connection refused'
    case 'ENOTFOUND':
    case 'EAI_AGAIN': return 'host not found'
    case 'UND_ERR_CONNECT_TIMEOUT': return 'connect timeout'
    case 'ECONNRESET':
    case 'UND_ERR_SOCKET': return 'connection reset'
    case 'CERT_HAS_EXPIRED':
    case 'DEPTH_ZERO_SELF_SIGNED_CERT':
    case 'SELF_SIGNED_CERT_IN_CHAIN':
    case 'UNABLE_TO_VERIFY_LEAF_SIGNATURE':
    case 'ERR_TLS_CERT_ALTNAME_INVALID': return 'TLS certificate not trusted'
    default: return code === '' ? 'network error' : code
  }
}
