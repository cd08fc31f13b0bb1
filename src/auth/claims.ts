/**
 * Claim maps whose string leaves are templates (`jwt.claims`, `additional_claims`,
 * `jwt_headers`). Compiled once; rendered per request. Top-level `exp`, `iat` and `nbf` that
 * render to numeric strings become integers (SPEC 7).
 */
import type { TemplateCompiler } from '../config/semantic.js'
import type { CompiledTemplate } from '../templates/types.js'
import { render, type AuthScope } from './types.js'

type Node =
  | { kind: 'template', template: CompiledTemplate }
  | { kind: 'value', value: unknown }
  | { kind: 'list', items: Node[] }
  | { kind: 'map', entries: Array<[string, Node]> }

const NUMERIC_CLAIMS = new Set(['exp', 'iat', 'nbf'])

export interface CompiledClaims {
  readonly templates: readonly CompiledTemplate[]
  render (scope: AuthScope): Record<string, unknown>
}

export function compileClaims (map: Readonly<Record<string, unknown>> | undefined, compiler: TemplateCompiler): CompiledClaims {
  const templates: CompiledTemplate[] = []
  const compile = (value: unknown): Node => {
    if (typeof value === 'string') {
      const template = compiler.compile(value, 'auth')
      templates.push(template)
      return { kind: 'template', template }
    }
    if (Array.isArray(value)) return { kind: 'list', items: value.map(compile) }
    if (value !== null && typeof value === 'object') return { kind: 'map', entries: Object.entries(value).map(([k, v]) => [k, compile(v)]) }
    return { kind: 'value', value }
  }
  const root = Object.entries(map ?? {}).map(([k, v]) => [k, compile(v)] as [string, Node])
  const renderNode = (node: Node, scope: AuthScope): unknown => {
    switch (node.kind) {
      case 'template': return render(node.template, scope)
      case 'value': return node.value
      case 'list': return node.items.map((item) => renderNode(item, scope))
      case 'map': return Object.fromEntries(node.entries.map(([k, v]) => [k, renderNode(v, scope)]))
    }
  }
  return {
    templates,
    render (scope) {
      const out: Record<string, unknown> = {}
      for (const [name, node] of root) {
        const value = renderNode(node, scope)
        out[name] = NUMERIC_CLAIMS.has(name) && typeof value === 'string' && /^\s*-?\d+(\.\d+)?\s*$/.test(value)
          ? Math.trunc(Number(value))
          : value
      }
      return out
    },
  }
}
