/**
 * A generic HMAC of the body in one header: `header`, `algorithm` (sha256 | sha1 | sha512),
 * `encoding` (hex, compared case-insensitively | base64) and `prefix` (such as `sha256=`).
 * No timestamp, no event id: a repeat is recognised by its signature.
 */
import type { WebhookVerifyConfig } from '../../config/schema.js'
import { hmac, sameSignature, single } from './compare.js'
import type { WebhookVerifier } from './types.js'

export function hmacVerifier (config: WebhookVerifyConfig): WebhookVerifier {
  const header = (config.header ?? '').toLowerCase()
  const algorithm = config.algorithm ?? 'sha256'
  const encoding = config.encoding ?? 'hex'
  const prefix = config.prefix ?? ''
  return {
    eventHeaders: [],
    verify ({ headers, body }, { secret }) {
      const presented = header === '' ? undefined : single(headers, header)
      if (presented === undefined) return undefined
      const expected = prefix + hmac(algorithm, secret, body).toString(encoding)
      const value = encoding === 'hex' ? presented.trim().toLowerCase() : presented.trim()
      const comparable = encoding === 'hex' ? expected.toLowerCase() : expected
      if (!sameSignature(comparable, value)) return undefined
      return { eventId: presented }
    },
  }
}
