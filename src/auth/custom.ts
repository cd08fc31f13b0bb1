import type { AuthMethodOf } from '../config/schema.js'
import type { TemplateCompiler } from '../config/semantic.js'
import type { CompiledTemplate } from '../templates/types.js'
import { render, type AuthMethod, type AuthScope } from './types.js'

type Entries = ReadonlyArray<readonly [string, CompiledTemplate]>

export function customMethod (config: AuthMethodOf<'custom'>, compiler: TemplateCompiler): AuthMethod {
  const compile = (map: Record<string, string> = {}): Entries =>
    Object.entries(map).map(([name, source]) => [name, compiler.compile(source, 'auth')] as const)
  const headers = compile(config.headers)
  const query = compile(config.query)
  const renderAll = (entries: Entries, scope: AuthScope) => entries.map(([name, t]) => [name, render(t, scope)] as const)
  return {
    type: 'custom',
    templates: [...headers, ...query].map(([, t]) => t),
    tokenBased: false,
    apply: (scope) => ({ headers: renderAll(headers, scope), query: renderAll(query, scope) }),
  }
}
