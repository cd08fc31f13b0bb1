/**
 * Template errors. Compile-time problems are TemplateSyntaxError (config validation reports them
 * with the template's line and column). Render-time failures leave this module only as
 * GatewayError, built by toRenderError() from a fixed vocabulary of reasons: nunjucks and
 * JavaScript messages can quote the values being rendered, so they are never passed through.
 */
import { GatewayError } from '../errors.js'
import { isNunjucksError } from './nunjucks-internals.js'

export type TemplateSyntaxErrorCode =
  | 'syntax'              // nunjucks could not parse or compile it
  | 'unsupported'         // include, import, extends, call blocks
  | 'not_allowed_here'    // a site rule of SPEC 5 (get_secret in base_url, ...)
  | 'unknown_name'        // variable, function, filter or get_variable() name that does not exist
  | 'invalid_argument'    // get_secret() without a string literal, bad secret name

export class TemplateSyntaxError extends Error {
  override readonly name = 'TemplateSyntaxError'
  readonly code: TemplateSyntaxErrorCode
  /** 1-based, within the template string. */
  readonly line: number
  readonly column: number

  constructor (code: TemplateSyntaxErrorCode, message: string, line: number, column: number) {
    super(message)
    this.code = code
    this.line = line
    this.column = column
  }
}

/**
 * Thrown inside a render by our functions, filters and strict lookups. `reason` is written by us
 * and holds no rendered value. Only the strict lookups know their exact position; for function
 * calls nunjucks tracks the innermost call entered, which points at the wrong call when calls
 * nest, so functions and filters name themselves in `reason` instead.
 */
export class RenderFault extends Error {
  readonly reason: string
  readonly line: number | undefined
  readonly column: number | undefined

  constructor (reason: string, position: { line?: number, column?: number } = {}) {
    super(reason)
    this.reason = reason
    this.line = position.line
    this.column = position.column
  }
}

const UNDEFINED_OUTPUT = 'attempted to output null or undefined value'

/**
 * Maps whatever a nunjucks render threw to the error the caller sees. GatewayErrors raised by our
 * functions (secret_not_found) pass through unchanged; nothing else keeps its message or cause.
 */
export function toRenderError (err: unknown, label: string): GatewayError {
  if (err instanceof GatewayError) return err
  const cause = isNunjucksError(err) ? err.cause : undefined
  if (cause instanceof GatewayError) return cause
  if (cause instanceof RenderFault) return templateError(label, cause.reason, cause.line, cause.column)
  if (cause === undefined && isNunjucksError(err) && err.message.includes(UNDEFINED_OUTPUT)) {
    // Raised by nunjucks' throwOnUndefined check, with exact 1-based positions.
    return templateError(label, 'output is null or undefined', err.lineno, err.colno)
  }
  if (cause instanceof Error && cause.message.startsWith('Unable to call')) {
    // nunjucks' callWrap: the rest of its message is an expression of the template, dropped anyway.
    return templateError(label, 'called something that is not a function', undefined, undefined)
  }
  return templateError(label, 'render failed', undefined, undefined)
}

export function templateError (label: string, reason: string, line: number | undefined, column: number | undefined): GatewayError {
  const where = line === undefined ? '' : column === undefined ? ` at line ${line}` : ` at line ${line}, column ${column}`
  return new GatewayError('template_error', `template ${label}: ${reason}${where}`)
}
