/**
 * The path parameters of an action (SPEC 7.3): which ones a path template needs (read at load),
 * and the caller's values, which must be plain path segments. A value can never carry a `/`,
 * `%`, `\` or a `..` of its own, so it cannot move the rendered path; checkForwardPath still
 * checks the whole rendered path (two `.` values side by side, a template that adds its own).
 */
import { GatewayError } from '../errors.js'
import { parseTemplate, type NjNode } from '../templates/nunjucks-internals.js'
import { walk } from '../templates/walk.js'

/**
 * Names read as `params.<name>` or `params['<name>']`, except under `default` or `is defined`.
 * A request without one of them is the caller's mistake (400), not a template error (500).
 * Only for a template the engine has already compiled: the source parses.
 */
export function requiredParams (source: string): string[] {
  const names = new Set<string>()
  walk(parseTemplate(source), {
    lookup (node, tolerant) {
      const target = node.target as NjNode
      const key = node.val as NjNode
      if (!tolerant && target.typename === 'Symbol' && target.value === 'params' &&
        key.typename === 'Literal' && typeof key.value === 'string') names.add(key.value)
      return undefined
    },
  })
  return [...names].sort()
}

const SEGMENT = /^[A-Za-z0-9._~-]+$/

/**
 * `params` of an action request: an object of strings (numbers are stringified), each value one
 * unreserved-character path segment other than `..`. Values are never echoed in messages.
 */
export function parseActionParams (value: unknown, required: readonly string[]): Readonly<Record<string, string>> {
  if (value !== undefined && !isPlainObject(value)) throw invalid('params must be an object')
  const params = Object.create(null) as Record<string, string>
  for (const [name, raw] of Object.entries(value ?? {})) {
    const text = typeof raw === 'string' ? raw : typeof raw === 'number' && Number.isFinite(raw) ? String(raw) : undefined
    if (text === undefined) throw invalid(`params.${printable(name)} must be a string`)
    if (!SEGMENT.test(text) || text === '..') {
      throw invalid(`params.${printable(name)} must be one path segment of A-Z a-z 0-9 . _ ~ - (and not ..)`)
    }
    params[name] = text
  }
  for (const name of required) {
    if (params[name] === undefined) throw invalid(`params.${name} is required by this action`)
  }
  return params
}

export function isPlainObject (value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** A caller-chosen key in a message: short and without control characters. */
export function printable (name: string): string {
  return /^[A-Za-z0-9_.-]{1,64}$/.test(name) ? name : JSON.stringify(name.slice(0, 64)).replace(/[^\x20-\x7e]/g, '?')
}

function invalid (message: string): GatewayError {
  return new GatewayError('invalid_request', message)
}
