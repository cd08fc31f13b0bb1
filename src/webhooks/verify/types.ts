/**
 * One interface for every incoming-webhook scheme (SPEC 13). A verifier sees the exact bytes
 * received and the rendered secret, and answers with the provider's event id (what repeats
 * are recognised by) or undefined: refused. It never throws on caller input.
 *
 * A verifier may also take a handshake: a request the provider sends to prove the endpoint
 * (Zoom's url_validation, Graph's validationToken, monday's challenge, Trello's HEAD, Asana's
 * X-Hook-Secret). It is answered by the ingress as the handshake says and never forwarded.
 */
import type { IncomingHttpHeaders } from 'node:http'

export interface WebhookRequest {
  readonly method: 'POST' | 'HEAD'
  readonly headers: IncomingHttpHeaders
  /** Empty for HEAD. */
  readonly body: Buffer
  /** The public URL the provider called: `server.public_url` + `/webhooks/<id>` + the query as received. */
  readonly url: string
  readonly query: URLSearchParams
}

export interface VerifyContext {
  /** The rendered `verify.secret`; never empty (an empty key is refused before this). */
  readonly secret: string
  readonly nowMs: number
  readonly toleranceMs: number
}

export interface Verified {
  /** The provider's event id; the presented signature (or a digest of the body) when the provider sends none. */
  readonly eventId: string
  /** The body to forward when it differs from the bytes received (a secret field removed). */
  readonly forwardBody?: string
}

export interface HandshakeAnswer {
  readonly status: number
  readonly headers: Readonly<Record<string, string>>
  readonly body: string
}

/**
 * What a handshake decided: answer it as is; refuse it (401, the reason to the log only); or
 * answer it once the presented secret is captured (an operator-armed window must be open).
 */
export type HandshakeResult =
  | { readonly kind: 'answer', readonly answer: HandshakeAnswer }
  | { readonly kind: 'refuse', readonly reason: string }
  | { readonly kind: 'capture', readonly secret: string, readonly answer: HandshakeAnswer }

export interface HandshakeContext {
  /** The rendered secret; undefined when it did not render or is not captured yet. */
  readonly secret: string | undefined
  readonly nowMs: number
  readonly toleranceMs: number
}

export type Verification = Verified | undefined | Promise<Verified | undefined>

export interface WebhookVerifier {
  /** Provider headers forwarded in `data.headers` besides content-type (never the signature). */
  readonly eventHeaders: readonly string[]
  verify (request: WebhookRequest, context: VerifyContext): Verification
  /** undefined: not a handshake, verify it as a delivery. */
  handshake? (request: WebhookRequest, context: HandshakeContext): HandshakeResult | undefined | Promise<HandshakeResult | undefined>
}

/** A scheme's verify step alone, as the type's module builds it. */
export type SchemeVerifier = Omit<WebhookVerifier, 'handshake'>
