/**
 * Stripe: `Stripe-Signature: t=<unix>,v1=<hex>[,v1=<hex>…]`, HMAC-SHA256 of `<t>.<body>` keyed
 * with the endpoint secret as written (`whsec_…`). Several v1 entries appear while a secret is
 * rolled; one match is enough. https://docs.stripe.com/webhooks#verify-manually
 * Event id: the body's `id` (`evt_…`), the same on Stripe's retries.
 *
 * `header` names another header in the same format: Calendly's `Calendly-Webhook-Signature`
 * (https://developer.calendly.com/api-docs/overview/webhooks/webhook-signatures), keyed with
 * the subscription's signing key as written.
 */
import type { WebhookVerifyConfig } from '../../config/schema.js'
import { anySameSignature, hmac, jsonField, single, withinTolerance } from './compare.js'
import type { SchemeVerifier } from './types.js'

export function stripeVerifier (config: Pick<WebhookVerifyConfig, 'header'>): SchemeVerifier {
  const name = (config.header ?? 'Stripe-Signature').toLowerCase()
  return {
    eventHeaders: [],
    verify ({ headers, body }, { secret, nowMs, toleranceMs }) {
      const header = single(headers, name)
      if (header === undefined) return undefined
      let timestamp: string | undefined
      const signatures: string[] = []
      for (const item of header.split(',')) {
        const at = item.indexOf('=')
        if (at < 0) continue
        const key = item.slice(0, at).trim()
        const value = item.slice(at + 1).trim()
        if (key === 't') timestamp = value
        else if (key === 'v1') signatures.push(value.toLowerCase())
      }
      if (signatures.length === 0 || !withinTolerance(timestamp, nowMs, toleranceMs)) return undefined
      const expected = hmac('sha256', secret, `${timestamp}.`, body).toString('hex')
      if (!anySameSignature(expected, signatures)) return undefined
      return { eventId: jsonField(body, 'id') ?? header }
    },
  }
}
