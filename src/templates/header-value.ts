/**
 * The last check on a rendered header value before it is set: a CR or LF would let a template
 * fed with caller data split the request (header injection), and NUL is refused by HTTP stacks
 * in inconsistent ways. SPEC 5: 500 template_error.
 */
import { GatewayError } from '../errors.js'

const UNSAFE = /[\r\n\0]/

export function assertSafeHeaderValue (value: string, fieldLabel: string): void {
  // The value itself stays out of the message: it may be a rendered credential.
  if (UNSAFE.test(value)) throw new GatewayError('template_error', `rendered value of ${fieldLabel} contains CR, LF or NUL`)
}
