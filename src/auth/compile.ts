/** Builds the runtime auth method for a config entry: one case per type, checked exhaustive. */
import type { AuthMethodConfig } from '../config/schema.js'
import { apiKeyMethod } from './api-key.js'
import { basicMethod } from './basic.js'
import { bearerMethod } from './bearer.js'
import { customMethod } from './custom.js'
import { noneMethod } from './none.js'
import type { AuthDeps, AuthMethod } from './types.js'
import { clientCredentialsMethod } from './client-credentials.js'
import { jwtMethod } from './jwt.js'
import { jwtBearerMethod } from './jwt-bearer.js'
import { oauth1Method } from './oauth1.js'
import { oauth2Method } from './oauth2.js'

export class UnsupportedAuthMethodError extends Error {
  override readonly name = 'UnsupportedAuthMethodError'
}

export function compileAuthMethod (config: AuthMethodConfig, deps: AuthDeps): AuthMethod {
  const type = config.type
  switch (config.type) {
    case 'none': return noneMethod()
    case 'basic': return basicMethod(config, deps.compiler)
    case 'bearer': return bearerMethod(config, deps.compiler)
    case 'api_key': return apiKeyMethod(config, deps.compiler)
    case 'custom': return customMethod(config, deps.compiler)
    case 'oauth_client_credentials': return clientCredentialsMethod(config, deps)
    case 'jwt': return jwtMethod(config, deps)
    case 'oauth_jwt_bearer': return jwtBearerMethod(config, deps)
    case 'oauth1': return oauth1Method(config, deps)
    case 'oauth2': return oauth2Method(config, deps)
    default: {
      const unknown: never = config
      throw new UnsupportedAuthMethodError(`unknown auth type ${JSON.stringify(unknown)}`)
    }
  }
}
