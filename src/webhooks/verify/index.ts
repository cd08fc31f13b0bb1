/**
 * The verifier of a connector's `webhooks.verify`: one scheme per `type`, chosen here only,
 * with the configured event id, forwarded headers and handshake around it.
 */
import type { WebhookVerifyConfig } from '../../config/schema.js'
import { withEventId } from './event-id.js'
import { githubVerifier } from './github.js'
import { handshakeFor } from './handshakes.js'
import { hmacVerifier } from './hmac.js'
import { jwtVerifier } from './jwt.js'
import { shopifyVerifier } from './shopify.js'
import { slackVerifier } from './slack.js'
import { standardVerifier } from './standard.js'
import { stripeVerifier } from './stripe.js'
import { tokenVerifier } from './token.js'
import type { SchemeVerifier, WebhookVerifier } from './types.js'
import { urlHmacVerifier } from './url-hmac.js'

export type { WebhookVerifier, WebhookRequest, Verified, HandshakeAnswer, HandshakeResult } from './types.js'

export function verifierFor (config: WebhookVerifyConfig): WebhookVerifier {
  const scheme = withEventId(schemeFor(config), config.event_id)
  const handshake = handshakeFor(config.handshake)
  const eventHeaders = [...new Set([...scheme.eventHeaders, ...(config.event_headers ?? []).map((name) => name.toLowerCase())])]
  return {
    eventHeaders,
    verify: (request, context) => scheme.verify(request, context),
    ...(handshake === undefined ? {} : { handshake: (request, context) => handshake(request, context, scheme) }),
  }
}

function schemeFor (config: WebhookVerifyConfig): SchemeVerifier {
  const type = config.type
  switch (type) {
    case 'stripe': return stripeVerifier(config)
    case 'slack': return slackVerifier(config)
    case 'github': return githubVerifier
    case 'shopify': return shopifyVerifier
    case 'standard': return standardVerifier
    case 'hmac': return hmacVerifier(config)
    case 'token': return tokenVerifier(config)
    case 'url_hmac': return urlHmacVerifier(config)
    case 'jwt': return jwtVerifier(config)
    default: {
      const unknown: never = type
      throw new Error(`unknown webhook verify type ${String(unknown)}`)
    }
  }
}
