/**
 * A connection's `webhooks` block compiled once per compiled connection (a reload or a changed
 * stored record makes a new one): the verifier, the secret template (site `auth`: it may read
 * get_secret and connection.credentials; none when a handshake captures it), the tolerance and the `forward_to` template (site
 * `base_url`: no secrets).
 */
import type { TemplateCompiler } from '../config/semantic.js'
import { durationMs } from '../config/units.js'
import type { CompiledConnection } from '../runtime/connection.js'
import type { CompiledTemplate } from '../templates/types.js'
import { verifierFor, type WebhookVerifier } from './verify/index.js'

export interface CompiledWebhooks {
  readonly verifier: WebhookVerifier
  /** undefined with `handshake: hook_secret`: the secret is the one its handshake captured. */
  readonly secret: CompiledTemplate | undefined
  readonly toleranceMs: number
  readonly forwardTo: CompiledTemplate | undefined
  /** Every secret the connection's credentials and these templates may need. */
  readonly secrets: readonly string[]
}

const DEFAULT_TOLERANCE = '300s'
const compiled = new WeakMap<CompiledConnection, CompiledWebhooks | null>()

/** undefined when the connector takes no webhooks. */
export function webhooksOf (conn: CompiledConnection, compiler: TemplateCompiler): CompiledWebhooks | undefined {
  const known = compiled.get(conn)
  if (known !== undefined) return known ?? undefined
  const config = conn.connector.webhooks
  let result: CompiledWebhooks | null = null
  if (config !== undefined) {
    const secret = config.verify.secret === undefined ? undefined : compiler.compile(config.verify.secret, 'auth')
    const forwardTo = config.forward_to === undefined ? undefined : compiler.compile(config.forward_to, 'base_url')
    result = {
      verifier: verifierFor(config.verify),
      secret,
      // At least a second: the window repeats are recognised in is never empty.
      toleranceMs: Math.max(1000, durationMs(config.verify.tolerance ?? DEFAULT_TOLERANCE)),
      forwardTo,
      secrets: [...new Set([...conn.secrets, ...(secret?.secrets ?? []), ...(forwardTo?.secrets ?? [])])].sort(),
    }
  }
  compiled.set(conn, result)
  return result ?? undefined
}
