/**
 * Every error latchkey answers with itself. One class, a literal union of codes, and the
 * HTTP status per code in one table, so a caller can `switch (err.code)`.
 *
 * Messages are written for the API caller and must never contain a secret, token or rendered
 * credential: put such detail nowhere, and put non-secret structured detail in `cause`.
 */
export const ERROR_STATUS = {
  invalid_path: 400,
  invalid_request: 400,
  unauthenticated: 401,
  user_required: 401,
  webhook_signature_invalid: 401,
  forbidden: 403,
  route_not_allowed: 403,
  not_found: 404,
  connection_not_found: 404,
  method_not_allowed: 405,
  connection_conflict: 409,
  connection_not_authorized: 409,
  config_invalid: 409,
  payload_too_large: 413,
  rate_limited: 429,
  internal_error: 500,
  template_error: 500,
  secret_not_found: 500,
  token_exchange_failed: 502,
  token_refresh_failed: 502,
  upstream_unreachable: 502,
  response_transform_failed: 502,
  not_ready: 503,
  upstream_timeout: 504,
} as const

export type ErrorCode = keyof typeof ERROR_STATUS

export class GatewayError extends Error {
  override readonly name = 'GatewayError'
  readonly code: ErrorCode
  readonly status: number
  /** Extra response headers, e.g. Retry-After for rate_limited. */
  readonly headers: Readonly<Record<string, string>> | undefined
  /** Extra fields of the error body, e.g. `problems` naming each bad field; never values sent. */
  readonly details: Readonly<Record<string, unknown>> | undefined

  constructor (code: ErrorCode, message: string, options: { cause?: unknown, headers?: Record<string, string>, details?: Record<string, unknown> } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause })
    this.code = code
    this.status = ERROR_STATUS[code]
    this.headers = options.headers
    this.details = options.details
  }
}

export function isGatewayError (err: unknown): err is GatewayError {
  return err instanceof GatewayError
}

export interface ErrorBody {
  error: { code: ErrorCode, message: string, request_id: string, [detail: string]: unknown }
}

export function errorBody (err: GatewayError, requestId: string): ErrorBody {
  return { error: { ...err.details, code: err.code, message: err.message, request_id: requestId } }
}
