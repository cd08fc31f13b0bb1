/**
 * Slack: `X-Slack-Signature: v0=<hex>` of `v0:<X-Slack-Request-Timestamp>:<body>`, HMAC-SHA256
 * with the app's signing secret. https://docs.slack.dev/authentication/verifying-requests-from-slack
 * Event id: the Events API body's `event_id` (retries repeat it, with X-Slack-Retry-Num).
 */
import { hmac, jsonField, sameSignature, single, withinTolerance } from './compare.js'
import type { WebhookVerifier } from './types.js'

export const slackVerifier: WebhookVerifier = {
  eventHeaders: ['x-slack-retry-num', 'x-slack-retry-reason'],
  verify ({ headers, body }, { secret, nowMs, toleranceMs }) {
    const signature = single(headers, 'x-slack-signature')
    const timestamp = single(headers, 'x-slack-request-timestamp')
    if (signature === undefined || !withinTolerance(timestamp, nowMs, toleranceMs)) return undefined
    const expected = `v0=${hmac('sha256', secret, `v0:${timestamp}:`, body).toString('hex')}`
    if (!sameSignature(expected, signature.toLowerCase())) return undefined
    return { eventId: jsonField(body, 'event_id') ?? signature }
  },
}
