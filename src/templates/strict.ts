/**
 * Jinja2's StrictUndefined for nunjucks. nunjucks' throwOnUndefined only fires when a value is
 * output, so `{{ connection.credentials.api_kee | urlencode }}` would quietly send an empty key.
 * At compile time every member lookup and every read of a context key is rewritten into a call
 * of one of the lookup filters below, which fail with the exact line and column. The input of
 * `default` and the left of `is defined` keep the lenient lookup, as in Jinja2.
 *
 * The lookups also refuse `constructor`, `__proto__` and `prototype`: no template needs them and
 * they are the usual first step of escaping the nunjucks sandbox. Templates come from the config
 * (trusted); this narrows what a mistake in one can do, it is not a sandbox for hostile templates.
 */
import { RenderFault } from './errors.js'
import { CONTEXT_KEYS } from './analyze.js'
import { nodes, type NjNode } from './nunjucks-internals.js'
import { walk } from './walk.js'

const GET = '__lk_get'
const GET_SOFT = '__lk_get_soft'
const CONTEXT = '__lk_ctx'
const CONTEXT_SOFT = '__lk_ctx_soft'
const BLOCKED_KEYS = new Set(['constructor', '__proto__', 'prototype'])
const MUTATING_ARRAY_METHODS = new Set(['push', 'pop', 'shift', 'unshift', 'splice', 'sort', 'reverse', 'fill', 'copyWithin'])

interface NunjucksContext { lookup (name: string): unknown }

/** Filters the rewritten AST calls; registered on the engine's environment, hidden from templates. */
export const STRICT_FILTERS: Readonly<Record<string, (this: NunjucksContext, ...args: never[]) => unknown>> = {
  [GET] (obj: unknown, key: unknown, line: number, column: number, label: string): unknown {
    if (obj === undefined || obj === null) {
      throw new RenderFault(label === '' ? 'member of a null or undefined value' : `'${label}' of a null or undefined value`, { line, column })
    }
    const value = member(obj, key)
    if (value === undefined) throw new RenderFault(label === '' ? 'undefined attribute' : `undefined attribute '${label}'`, { line, column })
    return value
  },
  [GET_SOFT] (obj: unknown, key: unknown, line: number, column: number): unknown {
    if (obj === undefined || obj === null) throw new RenderFault('member of a null or undefined value', { line, column })
    return member(obj, key)
  },
  [CONTEXT] (this: NunjucksContext, name: string, line: number, column: number): unknown {
    const value = this.lookup(name)
    if (value === undefined) throw new RenderFault(`undefined variable '${name}'`, { line, column })
    return value
  },
  [CONTEXT_SOFT] (this: NunjucksContext, name: string): unknown {
    return this.lookup(name)
  },
}

/** Rewrites `root` in place. Run after analyzeTemplate(), which guarantees context keys are never rebound. */
export function makeLookupsStrict (root: NjNode): void {
  walk(root, {
    reference (node, name, ref) {
      if (!CONTEXT_KEYS.has(name)) return undefined
      return ref.tolerant
        ? filterCall(node, CONTEXT_SOFT, [literal(node, name)])
        : filterCall(node, CONTEXT, [literal(node, name), ...position(node)])
    },
    lookup (node, tolerant) {
      const key = node.val as NjNode
      const named = key.typename === 'Literal' && key.value !== null
      // Point at the name in `a.name`, at the bracket in `a[expr]`.
      const at = named ? key : node
      const target = node.target as NjNode
      return tolerant
        ? filterCall(node, GET_SOFT, [target, key, ...position(at)])
        : filterCall(node, GET, [target, key, ...position(at), literal(at, named ? String(key.value) : '')])
    },
  })
}

/**
 * Same semantics as nunjucks' runtime.memberLookup (methods come back bound), minus the blocked
 * keys and the array methods that mutate: context objects such as connection.config are shared
 * by every request, so a template must not be able to change them.
 */
function member (obj: unknown, key: unknown): unknown {
  if (typeof key === 'string') {
    if (BLOCKED_KEYS.has(key) || (Array.isArray(obj) && MUTATING_ARRAY_METHODS.has(key))) return undefined
  } else if (typeof key !== 'number') return undefined
  const value = (obj as Record<string | number, unknown>)[key]
  if (typeof value === 'function') return (...args: unknown[]) => (value as (...a: unknown[]) => unknown).apply(obj, args)
  return value
}

function filterCall (at: NjNode, name: string, args: NjNode[]): NjNode {
  return new nodes.Filter(at.lineno, at.colno,
    new nodes.Symbol(at.lineno, at.colno, name),
    new nodes.NodeList(at.lineno, at.colno, args))
}

function literal (at: NjNode, value: string | number): NjNode {
  return new nodes.Literal(at.lineno, at.colno, value)
}

/** 1-based line and column literals for error messages. */
function position (at: NjNode): NjNode[] {
  return [literal(at, at.lineno + 1), literal(at, at.colno + 1)]
}
