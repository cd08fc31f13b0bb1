/**
 * Standard Webhooks (https://www.standardwebhooks.com/, spec/standard-webhooks.md): the
 * signature is `v1,<base64 HMAC-SHA256 of "id.timestamp.body">` keyed with the bytes of the
 * `whsec_<base64>` secret. Outgoing events are signed here; the `standard` verifier of incoming
 * webhooks uses the same key parsing and content.
 */
import { createHmac } from 'node:crypto'

const PREFIX = 'whsec_'
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/

/** The HMAC key of a `whsec_<base64>` secret; undefined when it is not one (or is empty). */
export function standardKey (secret: string, options: { requirePrefix: boolean }): Buffer | undefined {
  const hasPrefix = secret.startsWith(PREFIX)
  if (options.requirePrefix && !hasPrefix) return undefined
  const encoded = hasPrefix ? secret.slice(PREFIX.length) : secret
  if (!BASE64.test(encoded)) return undefined
  const key = Buffer.from(encoded, 'base64')
  return key.length === 0 ? undefined : key
}

/** The base64 signature of one message (without the `v1,` version tag). */
export function standardSignature (key: Buffer, id: string, timestampSeconds: number | string, body: Buffer | string): string {
  return createHmac('sha256', key).update(`${id}.${timestampSeconds}.`).update(body).digest('base64')
}

export interface SignedHeaders {
  'webhook-id': string
  'webhook-timestamp': string
  'webhook-signature': string
}

export function signStandard (key: Buffer, id: string, timestampSeconds: number, body: string): SignedHeaders {
  return {
    'webhook-id': id,
    'webhook-timestamp': String(timestampSeconds),
    'webhook-signature': `v1,${standardSignature(key, id, timestampSeconds, body)}`,
  }
}
