/**
 * Query merging (SPEC 6): the caller's parameters as sent, then the connector's, then the auth
 * method's. A non-overridable connector entry and every auth entry replace the caller's value.
 * Caller pairs keep their original encoding; latchkey's own values are encoded here.
 */
import { GatewayError } from '../errors.js'

interface Pair { key: string, value: string, raw: string }

/**
 * The caller's query, split and decoded. Every key and value is decoded at parse, so malformed
 * percent-encoding is refused whether or not a template reads it; only the `values` object is
 * left for later: few templates read `request.query`. A class, not an object literal with a
 * getter: for `limit=10`, parse with the literal measured ~820 ns, with the class ~230 ns, and
 * the eager null-prototype object it replaces ~1.5 us (keyed stores on a dictionary object).
 */
export class CallerQuery {
  #values: Record<string, string | string[]> | undefined
  constructor (readonly pairs: Pair[]) {}

  /** Decoded view for templates (`request.query`), a null-prototype object built on first read. */
  get values (): Record<string, string | string[]> {
    if (this.#values === undefined) {
      const values = Object.create(null) as Record<string, string | string[]>
      for (const { key, value } of this.pairs) {
        const prior = values[key]
        values[key] = prior === undefined ? value : Array.isArray(prior) ? [...prior, value] : [prior, value]
      }
      this.#values = values
    }
    return this.#values
  }
}

export function parseCallerQuery (rawQuery: string): CallerQuery {
  const pairs: Pair[] = []
  // indexOf rather than split('&'): no intermediate array (~230 ns against ~420 ns above).
  for (let from = 0; from < rawQuery.length;) {
    let to = rawQuery.indexOf('&', from)
    if (to === -1) to = rawQuery.length
    if (to > from) {
      const raw = rawQuery.slice(from, to)
      const eq = raw.indexOf('=')
      const key = decodeComponent(eq === -1 ? raw : raw.slice(0, eq))
      const value = eq === -1 ? '' : decodeComponent(raw.slice(eq + 1))
      pairs.push({ key, value, raw })
    }
    from = to + 1
  }
  return new CallerQuery(pairs)
}

function decodeComponent (text: string): string {
  // Most keys and values have nothing to decode: skip the RegExp and the decoder for them.
  if (text.indexOf('%') === -1 && text.indexOf('+') === -1) return text
  try {
    return decodeURIComponent(text.replace(/\+/g, ' '))
  } catch {
    throw new GatewayError('invalid_request', 'malformed percent-encoding in the query string')
  }
}

export interface QueryEntry { key: string, value: string, overridable: boolean }

export function mergeQuery (caller: CallerQuery, connector: readonly QueryEntry[], auth: ReadonlyArray<readonly [string, string]>): string {
  if (connector.length === 0 && auth.length === 0) return caller.pairs.map((p) => p.raw).join('&')
  let pairs = caller.pairs
  const put = (key: string, value: string) => {
    pairs = pairs.filter((p) => p.key !== key)
    pairs.push({ key, value, raw: `${encodeURIComponent(key)}=${encodeURIComponent(value)}` })
  }
  for (const entry of connector) {
    if (entry.overridable && pairs.some((p) => p.key === entry.key)) continue
    put(entry.key, entry.value)
  }
  for (const [key, value] of auth) put(key, value)
  return pairs.map((p) => p.raw).join('&')
}
