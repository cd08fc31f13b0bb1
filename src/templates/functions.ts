/**
 * The template functions of SPEC 5. All synchronous: a request renders with the secrets it
 * fetched beforehand (CompiledTemplate.secrets), which the engine puts in a RenderScope for the
 * length of one synchronous render.
 */
import { randomUUID } from 'node:crypto'
import { GatewayError } from '../errors.js'
import { RenderFault } from './errors.js'
import { signJwt, type KeyCache } from './jwt.js'

/** The secrets of the render in progress; null between renders. */
export interface RenderScope {
  secrets: ReadonlyMap<string, string> | null
}

export interface FunctionDeps {
  variables: Readonly<Record<string, string>>
  /** Milliseconds since the epoch. */
  clock: () => number
  scope: RenderScope
  keys: KeyCache
}

export type TemplateFunction = (...args: unknown[]) => unknown

export function createFunctions (deps: FunctionDeps): Record<string, TemplateFunction> {
  const { variables, clock, scope, keys } = deps
  return {
    get_secret (...args) {
      const [name] = bindArgs('get_secret', args, ['name'])
      const secrets = scope.secrets
      if (secrets === null) throw new Error('get_secret() called outside a render')
      const value = typeof name === 'string' ? secrets.get(name) : undefined
      // The name is a string literal from the config (checked at compile), never a value.
      if (value === undefined) throw new GatewayError('secret_not_found', `secret '${String(name)}' is not set: latchkey secrets set ${String(name)}`)
      return value
    },
    get_variable (...args) {
      const [name] = bindArgs('get_variable', args, ['name'])
      // The name may be computed from request data, so it stays out of the message.
      if (typeof name !== 'string' || !Object.hasOwn(variables, name)) throw fault('get_variable(): no such variable')
      return variables[name]
    },
    now (...args) {
      const [offset = 0] = bindArgs('now', args, ['offset'])
      if (typeof offset !== 'number' || !Number.isFinite(offset)) throw fault('now(): the offset must be a number of seconds')
      return Math.floor(clock() / 1000 + offset)
    },
    uuid (...args) {
      bindArgs('uuid', args, [])
      return randomUUID()
    },
    jwt_encode (...args) {
      const [payload, key, algorithm = 'HS256', headers] = bindArgs('jwt_encode', args, ['payload', 'key', 'algorithm', 'headers'])
      if (typeof algorithm !== 'string') throw fault('jwt_encode: the algorithm must be a string')
      return signJwt(claims(payload), key, algorithm, headerObject(headers), keys)
    },
  }
}

/** The payload: a dict, or the JSON text of one. */
function claims (payload: unknown): object {
  let value = payload
  if (typeof value === 'string') {
    try {
      value = JSON.parse(value)
    } catch {
      throw fault('jwt_encode: the payload is not valid JSON')
    }
  }
  if (!isPlainObject(value)) throw fault('jwt_encode: the payload must be a dict')
  return value
}

function headerObject (headers: unknown): object {
  if (headers === undefined || headers === null) return {}
  if (!isPlainObject(headers)) throw fault('jwt_encode: headers must be a dict')
  return headers
}

/**
 * Positional arguments, then nunjucks keyword arguments (a trailing object marked
 * `__keywords`), into `names` order. Unknown keywords and extra arguments are errors.
 */
function bindArgs (fn: string, args: unknown[], names: readonly string[]): unknown[] {
  const last = args[args.length - 1]
  const keywords = isKeywordArgs(last) ? last : undefined
  const positional = keywords === undefined ? args : args.slice(0, -1)
  if (positional.length > names.length) throw fault(`${fn}() takes at most ${names.length} argument(s)`)
  if (keywords === undefined) return positional
  const bound = [...positional]
  for (const [key, value] of Object.entries(keywords)) {
    if (key === '__keywords') continue
    const at = names.indexOf(key)
    if (at === -1) throw fault(`${fn}() got an unexpected keyword argument '${key}'`)
    bound[at] = value
  }
  return bound
}

function isKeywordArgs (value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && Object.hasOwn(value, '__keywords')
}

function isPlainObject (value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false
  const proto = Object.getPrototypeOf(value) as unknown
  return proto === Object.prototype || proto === null
}

function fault (reason: string): RenderFault {
  return new RenderFault(reason)
}
