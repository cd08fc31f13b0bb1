/**
 * latchkey as an OAuth 2.0 protected resource for user callers (SPEC 11, RFC 9728): the
 * metadata document that names `callers.jwt.issuer` as the authorization server, and the
 * `WWW-Authenticate` challenge on a 401 that points MCP clients at it.
 */
import type { Runtime } from '../runtime/build.js'

export const METADATA_PATH = '/.well-known/oauth-protected-resource/mcp'

function base (runtime: Runtime): string {
  return runtime.config.server.public_url.replace(/\/+$/, '')
}

/** The RFC 9728 document, or undefined when there are no user callers (`callers.jwt` unset). */
export function protectedResourceMetadata (runtime: Runtime): Record<string, unknown> | undefined {
  const jwt = runtime.config.callers.jwt
  if (jwt === undefined) return undefined
  const issuers = jwt.issuer === undefined ? [] : Array.isArray(jwt.issuer) ? jwt.issuer : [jwt.issuer]
  return {
    resource: `${base(runtime)}/mcp`,
    authorization_servers: issuers,
    bearer_methods_supported: ['header'],
    ...(jwt.algorithms === undefined ? {} : { resource_signing_alg_values_supported: jwt.algorithms }),
    resource_name: 'latchkey',
  }
}

/**
 * The challenge of a 401 from /mcp: for user callers it names the metadata document (RFC 9728
 * 5.1), with `error="invalid_token"` when a bearer token was sent and refused (RFC 6750 3).
 */
export function mcpChallenge (runtime: Runtime, badToken: boolean): Record<string, string> | undefined {
  if (runtime.config.callers.jwt === undefined) return undefined
  const pointer = `resource_metadata="${base(runtime)}${METADATA_PATH}"`
  return { 'www-authenticate': badToken ? `Bearer error="invalid_token", ${pointer}` : `Bearer ${pointer}` }
}
