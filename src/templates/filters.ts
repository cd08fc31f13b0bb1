/**
 * The filters of SPEC 5 on top of nunjucks' standard ones, and the guard every filter runs
 * behind: an undefined input is an error (only `default` may take one), and a failing filter
 * reports its name, never the value it choked on.
 */
import { createHash, createHmac } from 'node:crypto'
import { GatewayError } from '../errors.js'
import { RenderFault } from './errors.js'

export type FilterFunction = (this: unknown, input: unknown, ...args: unknown[]) => unknown

/** Filters that exist to handle a missing value. */
const ACCEPTS_UNDEFINED = new Set(['default', 'd'])
const BASE64 = /^(?:[A-Za-z0-9+/]*|[A-Za-z0-9_-]*)={0,2}$/
const utf8 = new TextDecoder('utf-8', { fatal: true })

export const CUSTOM_FILTERS: Readonly<Record<string, FilterFunction>> = {
  base64_encode (input) {
    return Buffer.from(text('base64_encode', input), 'utf8').toString('base64')
  },
  base64_decode (input) {
    const encoded = text('base64_decode', input)
    if (!BASE64.test(encoded) || encoded.replace(/=+$/, '').length % 4 === 1) throw new RenderFault('base64_decode: the input is not base64')
    try {
      return utf8.decode(Buffer.from(encoded, 'base64'))
    } catch {
      throw new RenderFault('base64_decode: the decoded bytes are not UTF-8')
    }
  },
  tojson: toJson,
  json_encode: toJson,
  from_json (input) {
    try {
      return JSON.parse(text('from_json', input)) as unknown
    } catch (err) {
      if (err instanceof RenderFault) throw err
      // JSON.parse quotes the input in its message.
      throw new RenderFault('from_json: the input is not valid JSON')
    }
  },
  sha256 (input) {
    return createHash('sha256').update(text('sha256', input)).digest('hex')
  },
  hmac_sha256 (input, key) {
    if (key === undefined) throw new RenderFault('hmac_sha256 needs a key: value | hmac_sha256(key)')
    return createHmac('sha256', text('hmac_sha256 key', key)).update(text('hmac_sha256', input)).digest('hex')
  },
}

/** Wraps a filter in the guard; `default` and `d` are returned as they are. */
export function guardFilter (name: string, filter: FilterFunction): FilterFunction {
  if (ACCEPTS_UNDEFINED.has(name)) return filter
  return function guarded (this: unknown, input: unknown, ...args: unknown[]): unknown {
    if (input === undefined) throw new RenderFault(`filter '${name}' got an undefined value`)
    try {
      return filter.call(this, input, ...args)
    } catch (err) {
      if (err instanceof RenderFault || err instanceof GatewayError) throw err
      throw new RenderFault(`filter '${name}' failed`)
    }
  }
}

function toJson (input: unknown, indent?: unknown): string {
  let json: string | undefined
  try {
    json = JSON.stringify(input, null, typeof indent === 'number' ? indent : undefined)
  } catch {
    json = undefined
  }
  if (json === undefined) throw new RenderFault('tojson: the value cannot be serialized to JSON')
  return json
}

/** Strings, nunjucks SafeStrings, numbers and booleans; anything else is a mistake in the template. */
function text (filter: string, value: unknown): string {
  if (typeof value === 'string') return value
  if (value instanceof String || typeof value === 'number' || typeof value === 'boolean') return String(value)
  throw new RenderFault(`${filter} expects a string`)
}
