/**
 * The pieces every verifier shares. Signatures are compared as SHA-256 digests of both strings
 * with timingSafeEqual: equal-length buffers whatever the caller sent, so neither the length
 * nor the first differing byte of the presented value shows in the time taken.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto'

export function sameSignature (expected: string, presented: string): boolean {
  const a = createHash('sha256').update(expected).digest()
  const b = createHash('sha256').update(presented).digest()
  return timingSafeEqual(a, b)
}

/** True when any candidate matches; every candidate is compared (no early exit). */
export function anySameSignature (expected: string, candidates: readonly string[]): boolean {
  let found = false
  for (const candidate of candidates) found = sameSignature(expected, candidate) || found
  return found
}

export function hmac (algorithm: 'sha256' | 'sha1' | 'sha512', key: string | Buffer, ...parts: Array<string | Buffer>): Buffer {
  const mac = createHmac(algorithm, key)
  for (const part of parts) mac.update(part)
  return mac.digest()
}

/** One header's value; absent, or sent twice (ambiguous), is undefined. */
export function single (headers: Readonly<Record<string, string | string[] | undefined>>, name: string): string | undefined {
  const value = headers[name]
  return typeof value === 'string' ? value : undefined
}

const SECONDS = /^\d{1,12}$/

/** A Unix-seconds timestamp no further than `toleranceMs` from now, in the past or the future. */
export function withinTolerance (timestamp: string | undefined, nowMs: number, toleranceMs: number): boolean {
  if (timestamp === undefined || !SECONDS.test(timestamp)) return false
  return Math.abs(nowMs - Number(timestamp) * 1000) <= toleranceMs
}

/** `field` of a JSON object body when it is a non-empty string (an event id); else undefined. */
export function jsonField (body: Buffer, field: string): string | undefined {
  try {
    const value = (JSON.parse(body.toString('utf8')) as Record<string, unknown> | null)?.[field]
    return typeof value === 'string' && value !== '' ? value : undefined
  } catch {
    return undefined
  }
}
