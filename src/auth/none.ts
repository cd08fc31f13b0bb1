import { NOTHING, type AuthMethod } from './types.js'

export function noneMethod (): AuthMethod {
  return { type: 'none', templates: [], tokenBased: false, apply: () => NOTHING }
}
