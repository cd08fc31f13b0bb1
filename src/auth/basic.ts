import type { AuthMethodOf } from '../config/schema.js'
import type { TemplateCompiler } from '../config/semantic.js'
import { render, type AuthMethod } from './types.js'

export function basicMethod (config: AuthMethodOf<'basic'>, compiler: TemplateCompiler): AuthMethod {
  const username = compiler.compile(config.username, 'auth')
  const password = compiler.compile(config.password, 'auth')
  return {
    type: 'basic',
    templates: [username, password],
    tokenBased: false,
    apply (scope) {
      const pair = `${render(username, scope)}:${render(password, scope)}`
      return { headers: [['authorization', `Basic ${Buffer.from(pair, 'utf8').toString('base64')}`]], query: [] }
    },
  }
}
