/**
 * Shopify: `X-Shopify-Hmac-Sha256: <base64>`, HMAC-SHA256 of the body with the app's client
 * secret. https://shopify.dev/docs/apps/build/webhooks/subscribe/https#step-5-verify-the-webhook
 * No timestamp is signed. Event id: `X-Shopify-Webhook-Id` (the same on Shopify's retries).
 */
import { hmac, sameSignature, single } from './compare.js'
import type { WebhookVerifier } from './types.js'

export const shopifyVerifier: WebhookVerifier = {
  eventHeaders: ['x-shopify-topic', 'x-shopify-shop-domain', 'x-shopify-api-version', 'x-shopify-webhook-id', 'x-shopify-event-id', 'x-shopify-triggered-at'],
  verify ({ headers, body }, { secret }) {
    const signature = single(headers, 'x-shopify-hmac-sha256')
    if (signature === undefined) return undefined
    if (!sameSignature(hmac('sha256', secret, body).toString('base64'), signature.trim())) return undefined
    return { eventId: single(headers, 'x-shopify-webhook-id') ?? signature }
  },
}
