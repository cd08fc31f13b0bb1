/** The verifier of a connector's `webhooks.verify.type`: one per scheme, chosen here only. */
import type { WebhookVerifyConfig } from '../../config/schema.js'
import { githubVerifier } from './github.js'
import { hmacVerifier } from './hmac.js'
import { shopifyVerifier } from './shopify.js'
import { slackVerifier } from './slack.js'
import { standardVerifier } from './standard.js'
import { stripeVerifier } from './stripe.js'
import type { WebhookVerifier } from './types.js'

export type { WebhookVerifier, WebhookRequest, Verified } from './types.js'

export function verifierFor (config: WebhookVerifyConfig): WebhookVerifier {
  const type = config.type
  switch (type) {
    case 'stripe': return stripeVerifier
    case 'slack': return slackVerifier
    case 'github': return githubVerifier
    case 'shopify': return shopifyVerifier
    case 'standard': return standardVerifier
    case 'hmac': return hmacVerifier(config)
    default: {
      const unknown: never = type
      throw new Error(`unknown webhook verify type ${String(unknown)}`)
    }
  }
}
