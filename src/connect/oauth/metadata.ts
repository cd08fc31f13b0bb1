/**
 * `metadata` (token-answer fields) and `redirect_metadata` (callback query parameters) copied
 * into `connection.config` (SPEC 7). A list names fields kept under their own name; a map is
 * `<config field>: <source field>` (a path such as `team.id` for the token answer). A field the
 * provider did not send is left out; values are kept as strings, data like anything typed.
 */
import { MAX_INPUT_LENGTH } from '../../connections/inputs.js'
import { valueAt } from '../../text/json-path.js'

type FieldCopy = readonly string[] | Readonly<Record<string, string>> | undefined

function pairs (copy: FieldCopy): Array<[target: string, source: string]> {
  if (copy === undefined) return []
  if (Array.isArray(copy)) return copy.map((name) => [name, name])
  return Object.entries(copy as Record<string, string>)
}

/** A scalar as a config string; undefined for anything else (objects, null, too long). */
export function configString (value: unknown): string | undefined {
  if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') return undefined
  const text = String(value)
  return text.length > MAX_INPUT_LENGTH ? undefined : text
}

export function tokenMetadata (copy: FieldCopy, body: Readonly<Record<string, unknown>>): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [target, source] of pairs(copy)) {
    let value: unknown
    try {
      value = valueAt(body, source)
    } catch {
      value = undefined
    }
    const text = configString(value)
    if (text !== undefined) out[target] = text
  }
  return out
}

export function redirectMetadata (copy: FieldCopy, query: Readonly<Record<string, unknown>>): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [target, source] of pairs(copy)) {
    const text = Object.hasOwn(query, source) ? configString(query[source]) : undefined
    if (text !== undefined) out[target] = text
  }
  return out
}
