/**
 * One interface for every incoming-webhook scheme (SPEC 13). A verifier sees the exact bytes
 * received and the rendered secret, and answers with the provider's event id (what repeats
 * are recognised by) or undefined: refused. It never throws on caller input.
 */
import type { IncomingHttpHeaders } from 'node:http'

export interface WebhookRequest {
  readonly headers: IncomingHttpHeaders
  readonly body: Buffer
}

export interface VerifyContext {
  /** The rendered `verify.secret`; never empty (an empty key is refused before this). */
  readonly secret: string
  readonly nowMs: number
  readonly toleranceMs: number
}

export interface Verified {
  /** The provider's event id; the presented signature when the provider sends none. */
  readonly eventId: string
}

export interface WebhookVerifier {
  /** Provider headers forwarded in `data.headers` besides content-type (never the signature). */
  readonly eventHeaders: readonly string[]
  verify (request: WebhookRequest, context: VerifyContext): Verified | undefined
}
