/**
 * One traversal of the nunjucks AST that knows what each Symbol means where it stands: a value
 * read, a function name, a filter name, a dict key or an assignment target. analyze.ts (rules)
 * and strict.ts (rewrite) both build on it, so the two can never disagree about a position.
 * A visitor callback may return a node to put in place of the one it was given.
 */
import { isNode, type NjNode } from './nunjucks-internals.js'

export interface Reference {
  /** Input of `default` or left of `is defined` / `is undefined`: absence is not an error. */
  tolerant: boolean
  /** The key node when this name is directly the target of a member lookup (`name.key`). */
  member: NjNode | undefined
}

export interface Visitor {
  /** A name read as a value. */
  reference? (node: NjNode, name: string, ref: Reference): NjNode | undefined
  /** `a.b` or `a[b]`, after its target and key were visited. */
  lookup? (node: NjNode, tolerant: boolean): NjNode | undefined
  /** A call of a plain name `f(...)`, before its arguments are visited. */
  call? (node: NjNode, name: string): void
  /** A call of anything else, such as `x.upper()`. */
  methodCall? (node: NjNode): void
  filter? (node: NjNode, name: string): void
  /** A name bound by set, for or macro. */
  binding? (node: NjNode, name: string): void
  /** include, import, extends, call blocks: things that load or splice other templates. */
  unsupported? (node: NjNode, tag: string): void
}

const TOLERANT_FILTERS = new Set(['default', 'd'])
const TOLERANT_TESTS = new Set(['defined', 'undefined'])
const UNSUPPORTED: Readonly<Record<string, string>> = {
  Include: 'include',
  Import: 'import',
  FromImport: 'from ... import',
  Extends: 'extends',
  Super: 'super()',
  Caller: 'call',
  CallExtension: 'extension',
  CallExtensionAsync: 'extension',
}

export function walk (root: NjNode, visitor: Visitor): void {
  visit(root, visitor, false)
}

function visit (node: NjNode, v: Visitor, tolerant: boolean): NjNode {
  const tag = UNSUPPORTED[node.typename]
  if (tag !== undefined) {
    v.unsupported?.(node, tag)
    return node
  }
  switch (node.typename) {
    case 'Symbol':
      return v.reference?.(node, node.value as string, { tolerant, member: undefined }) ?? node
    case 'LookupVal': {
      const target = child(node, 'target')
      node.target = target.typename === 'Symbol'
        ? v.reference?.(target, target.value as string, { tolerant: false, member: child(node, 'val') }) ?? target
        : visit(target, v, false)
      node.val = visit(child(node, 'val'), v, false)
      return v.lookup?.(node, tolerant) ?? node
    }
    case 'FunCall': {
      const name = child(node, 'name')
      if (name.typename === 'Symbol') v.call?.(node, name.value as string)
      else {
        v.methodCall?.(node)
        node.name = visit(name, v, false)
      }
      node.args = visit(child(node, 'args'), v, false)
      return node
    }
    case 'Filter': {
      const name = child(node, 'name').value as string
      v.filter?.(node, name)
      const args = children(child(node, 'args'))
      args.forEach((arg, i) => { args[i] = visit(arg, v, i === 0 && TOLERANT_FILTERS.has(name)) })
      return node
    }
    case 'Is': {
      const test = child(node, 'right')
      const testName = test.typename === 'FunCall' ? child(test, 'name').value : test.value
      node.left = visit(child(node, 'left'), v, TOLERANT_TESTS.has(testName as string))
      if (test.typename === 'FunCall') test.args = visit(child(test, 'args'), v, false)
      return node
    }
    case 'Dict':
    case 'KeywordArgs':
      for (const pair of children(node)) {
        const key = child(pair, 'key')
        if (key.typename !== 'Symbol') pair.key = visit(key, v, false)
        pair.value = visit(child(pair, 'value'), v, false)
      }
      return node
    case 'Set':
      for (const target of node.targets as NjNode[]) bind(target, v)
      if (isNode(node.value)) node.value = visit(node.value, v, false)
      // `{% set x %}...{% endset %}` keeps its Capture in `body`, which is not among Set's fields.
      if (isNode(node.body)) node.body = visit(node.body, v, false)
      return node
    case 'For':
    case 'AsyncEach':
    case 'AsyncAll':
      bind(child(node, 'name'), v)
      return visitFields(node, v, ['arr', 'body', 'else_'])
    case 'Macro':
      bind(child(node, 'name'), v)
      for (const arg of children(child(node, 'args'))) {
        if (arg.typename === 'KeywordArgs') {
          for (const pair of children(arg)) {
            bind(child(pair, 'key'), v)
            pair.value = visit(child(pair, 'value'), v, false)
          }
        } else bind(arg, v)
      }
      return visitFields(node, v, ['body'])
    case 'Block':
      return visitFields(node, v, ['body'])
    default:
      return visitFields(node, v, node.fields)
  }
}

function visitFields (node: NjNode, v: Visitor, fields: readonly string[]): NjNode {
  for (const field of fields) {
    const value = node[field]
    if (isNode(value)) node[field] = visit(value, v, false)
    else if (Array.isArray(value)) {
      value.forEach((item, i) => { if (isNode(item)) value[i] = visit(item, v, false) })
    }
  }
  return node
}

/** Set targets, for-loop names (`k, v` is an Array node) and macro parameters. */
function bind (target: NjNode, v: Visitor): void {
  if (target.typename === 'Symbol') v.binding?.(target, target.value as string)
  else for (const item of children(target)) bind(item, v)
}

function child (node: NjNode, field: string): NjNode {
  const value = node[field]
  if (!isNode(value)) throw new TypeError(`nunjucks ${node.typename}.${field} is not a node`)
  return value
}

function children (node: NjNode): NjNode[] {
  return node.children as NjNode[]
}
