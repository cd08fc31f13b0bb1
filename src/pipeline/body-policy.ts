/**
 * Which bytes go upstream, decided once per request before the first attempt:
 * - a signing method (oauth1) covers the parameters of a form body (RFC 5849 3.4.1.3.1), so that
 *   body is read (up to body_limit, else 413) before signing, and the same bytes are sent;
 * - a token-based method may replay once after an upstream 401, which needs the bytes again, so
 *   a small body (up to REPLAY_LIMIT) is buffered for those methods;
 * - everything else streams, and cannot be sent twice.
 */
import type { IncomingHttpHeaders } from 'node:http'
import type { Readable } from 'node:stream'
import { readBoundedBody } from '../proxy/bounded-body.js'
import type { MaybePromise, PlaneRequest } from './types.js'

/** Up to this many bytes are buffered so a token-based request can be replayed after a 401. */
export const REPLAY_LIMIT = 1024 * 1024

export interface BodyPlan {
  body: Buffer | Readable | null
  /** Decoded parameters of a form body the auth method signs. */
  form?: Array<[string, string]>
}

/** Synchronous unless a body must be read first (to sign it, or to replay it). */
export function planBody (request: PlaneRequest, bodyLimit: number): MaybePromise<BodyPlan> {
  const { body, conn, headers } = request
  if (body === null || Buffer.isBuffer(body)) return { body }
  if (conn.auth.signsRequest === true && isFormBody(headers)) return readForm(body, headers, bodyLimit)
  if (conn.auth.tokenBased && headers['transfer-encoding'] === undefined && Number(headers['content-length']) <= REPLAY_LIMIT) {
    return readToReplay(body)
  }
  return { body }
}

async function readForm (body: Readable, headers: IncomingHttpHeaders, bodyLimit: number): Promise<BodyPlan> {
  const bytes = await readBoundedBody(body, headers['content-length'], bodyLimit)
  return { body: bytes, form: [...new URLSearchParams(bytes.toString('utf8'))] }
}

async function readToReplay (body: Readable): Promise<BodyPlan> {
  const chunks: Buffer[] = []
  for await (const chunk of body) chunks.push(chunk as Buffer)
  return { body: Buffer.concat(chunks) }
}

/** Does the caller send a body at all? (The HTTP fronts pass its stream only when it does.) */
export function hasBody (headers: IncomingHttpHeaders): boolean {
  const length = headers['content-length']
  return headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0')
}

function isFormBody (headers: IncomingHttpHeaders): boolean {
  const type = headers['content-type']?.split(';', 1)[0]!.trim().toLowerCase()
  // An encoded body (gzip...) is not readable as parameters: it streams unsigned like any other.
  const encoding = headers['content-encoding']
  return type === 'application/x-www-form-urlencoded' && (encoding === undefined || encoding.toLowerCase() === 'identity')
}
