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
  const value = (parseJson(body) as Record<string, unknown> | null | undefined)?.[field]
  return typeof value === 'string' && value !== '' ? value : undefined
}

/** The body as a JSON value, or undefined when it is not JSON. */
export function parseJson (body: Buffer): unknown {
  try {
    return JSON.parse(body.toString('utf8')) as unknown
  } catch {
    return undefined
  }
}

/**
 * The values at a field path of a parsed body: `a.b` one value, `list[].b` one per element
 * (an element without it counts as undefined). A path is at most 8 segments (the schema's
 * pattern), so the walk is linear in the body.
 */
export function valuesAt (value: unknown, path: string): unknown[] {
  let current: unknown[] = [value]
  for (const segment of path.split('.')) {
    const each = segment.endsWith('[]')
    const name = each ? segment.slice(0, -2) : segment
    const next: unknown[] = []
    for (const item of current) {
      const field = isObject(item) && Object.hasOwn(item, name) ? item[name] : undefined
      if (!each) next.push(field)
      else if (Array.isArray(field)) next.push(...field as unknown[])
      else next.push(undefined)
    }
    current = next
  }
  return current
}

/** A copy of a parsed body without the field at `path` (in every element for `[]` segments). */
export function withoutField (value: unknown, path: string): unknown {
  const [segment, ...rest] = path.split('.')
  if (segment === undefined || !isObject(value)) return value
  const each = segment.endsWith('[]')
  const name = each ? segment.slice(0, -2) : segment
  if (!Object.hasOwn(value, name)) return value
  const copy: Record<string, unknown> = { ...value }
  if (rest.length === 0 && !each) {
    delete copy[name]
    return copy
  }
  const field = copy[name]
  const tail = rest.join('.')
  if (each) copy[name] = Array.isArray(field) ? field.map((item: unknown) => tail === '' ? item : withoutField(item, tail)) : field
  else copy[name] = withoutField(field, tail)
  return copy
}

/** A string or finite number at `path` as text; anything else is undefined. */
export function scalarAt (value: unknown, path: string): string | undefined {
  const [found] = valuesAt(value, path)
  if (typeof found === 'string' && found !== '') return found
  if (typeof found === 'number' && Number.isFinite(found)) return String(found)
  return undefined
}

/** The event id of a provider that sends none: the SHA-256 of the bytes (a retry sends the same). */
export function bodyDigest (body: Buffer): string {
  return `sha256:${createHash('sha256').update(body).digest('hex')}`
}

function isObject (value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
