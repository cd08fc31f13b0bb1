/**
 * Standard Webhooks: `webhook-id`, `webhook-timestamp`, `webhook-signature: v1,<base64> …`
 * (space-separated, one match is enough), HMAC-SHA256 of `<id>.<timestamp>.<body>` keyed with
 * the base64 part of `whsec_<base64>`. https://github.com/standard-webhooks/standard-webhooks/blob/main/spec/standard-webhooks.md
 * Event id: `webhook-id`.
 */
import { standardKey, standardSignature } from '../../events/signing.js'
import { anySameSignature, single, withinTolerance } from './compare.js'
import type { WebhookVerifier } from './types.js'

export const standardVerifier: WebhookVerifier = {
  eventHeaders: ['webhook-id'],
  verify ({ headers, body }, { secret, nowMs, toleranceMs }) {
    const id = single(headers, 'webhook-id')
    const timestamp = single(headers, 'webhook-timestamp')
    const header = single(headers, 'webhook-signature')
    const key = standardKey(secret, { requirePrefix: false })
    if (id === undefined || header === undefined || key === undefined || !withinTolerance(timestamp, nowMs, toleranceMs)) return undefined
    const candidates = header.split(' ').filter((s) => s.startsWith('v1,')).map((s) => s.slice(3))
    if (candidates.length === 0) return undefined
    if (!anySameSignature(standardSignature(key, id, timestamp!, body), candidates)) return undefined
    return { eventId: id }
  },
}
