import type { AuthMethodOf } from '../config/schema.js'
import type { TemplateCompiler } from '../config/semantic.js'
import { render, type AuthMethod } from './types.js'

export function bearerMethod (config: AuthMethodOf<'bearer'>, compiler: TemplateCompiler): AuthMethod {
  const token = compiler.compile(config.token, 'auth')
  return {
    type: 'bearer',
    templates: [token],
    tokenBased: false,
    apply: (scope) => ({ headers: [['authorization', `Bearer ${render(token, scope)}`]], query: [] }),
  }
}
