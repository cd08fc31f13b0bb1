/**
 * Slack: `X-Slack-Signature: v0=<hex>` of `v0:<X-Slack-Request-Timestamp>:<body>`, HMAC-SHA256
 * with the app's signing secret. https://docs.slack.dev/authentication/verifying-requests-from-slack
 * Event id: the Events API body's `event_id` (retries repeat it, with X-Slack-Retry-Num).
 *
 * `header` and `timestamp_header` name other headers of the same scheme: Zoom's
 * `x-zm-signature` and `x-zm-request-timestamp`, keyed with the app's Secret Token
 * (https://developers.zoom.us/docs/api/webhooks/#verify-webhook-events).
 */
import type { WebhookVerifyConfig } from '../../config/schema.js'
import { hmac, jsonField, sameSignature, single, withinTolerance } from './compare.js'
import type { SchemeVerifier } from './types.js'

export function slackVerifier (config: Pick<WebhookVerifyConfig, 'header' | 'timestamp_header'>): SchemeVerifier {
  const signatureHeader = (config.header ?? 'X-Slack-Signature').toLowerCase()
  const timestampHeader = (config.timestamp_header ?? 'X-Slack-Request-Timestamp').toLowerCase()
  return {
    eventHeaders: config.header === undefined ? ['x-slack-retry-num', 'x-slack-retry-reason'] : [],
    verify ({ headers, body }, { secret, nowMs, toleranceMs }) {
      const signature = single(headers, signatureHeader)
      const timestamp = single(headers, timestampHeader)
      if (signature === undefined || !withinTolerance(timestamp, nowMs, toleranceMs)) return undefined
      const expected = `v0=${hmac('sha256', secret, `v0:${timestamp}:`, body).toString('hex')}`
      if (!sameSignature(expected, signature.toLowerCase())) return undefined
      return { eventId: jsonField(body, 'event_id') ?? signature }
    },
  }
}
