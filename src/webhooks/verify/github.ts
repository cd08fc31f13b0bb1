/**
 * GitHub: `X-Hub-Signature-256: sha256=<hex>`, HMAC-SHA256 of the body with the hook's secret.
 * https://docs.github.com/en/webhooks/using-webhooks/validating-webhook-deliveries
 * No timestamp is signed. Event id: `X-GitHub-Delivery` (a redelivery keeps it).
 */
import { hmac, sameSignature, single } from './compare.js'
import type { WebhookVerifier } from './types.js'

export const githubVerifier: WebhookVerifier = {
  eventHeaders: ['x-github-event', 'x-github-delivery', 'x-github-hook-id', 'x-github-hook-installation-target-id', 'x-github-hook-installation-target-type'],
  verify ({ headers, body }, { secret }) {
    const signature = single(headers, 'x-hub-signature-256')
    if (signature === undefined) return undefined
    const expected = `sha256=${hmac('sha256', secret, body).toString('hex')}`
    if (!sameSignature(expected, signature.toLowerCase())) return undefined
    return { eventId: single(headers, 'x-github-delivery') ?? signature }
  },
}
