import type { AuthMethodOf } from '../config/schema.js'
import type { TemplateCompiler } from '../config/semantic.js'
import { render, type AuthMethod } from './types.js'

export function apiKeyMethod (config: AuthMethodOf<'api_key'>, compiler: TemplateCompiler): AuthMethod {
  const key = compiler.compile(config.key, 'auth')
  const value = compiler.compile(config.value, 'auth')
  const inQuery = config.in === 'query'
  return {
    type: 'api_key',
    templates: [key, value],
    tokenBased: false,
    apply (scope) {
      const pair = [render(key, scope), render(value, scope)] as const
      return inQuery ? { headers: [], query: [pair] } : { headers: [pair], query: [] }
    },
  }
}
