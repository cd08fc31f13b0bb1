/**
 * A shared secret presented as is, in a header or a JSON body field, compared constant-time:
 * - GitLab: `X-Gitlab-Token` (https://docs.gitlab.com/user/project/integrations/webhooks/)
 * - Figma: the body's `passcode` (https://developers.figma.com/docs/rest-api/webhooks-security)
 * - Microsoft Graph change notifications: `clientState` of every notification in `value[]`
 *   (https://learn.microsoft.com/en-us/graph/change-notifications-delivery-webhooks)
 * Nothing is signed: a captured request can be sent again (use a provider's signed scheme
 * where it has one). A body field is removed from the forwarded body, so the event never
 * carries the secret. Event id: `event_id` when configured, else a digest of the body.
 */
import type { WebhookVerifyConfig } from '../../config/schema.js'
import { bodyDigest, parseJson, sameSignature, single, valuesAt, withoutField } from './compare.js'
import type { SchemeVerifier } from './types.js'

export function tokenVerifier (config: Pick<WebhookVerifyConfig, 'header' | 'field'>): SchemeVerifier {
  const header = config.header?.toLowerCase()
  const field = config.field
  return {
    eventHeaders: [],
    verify ({ headers, body }, { secret }) {
      if (header !== undefined) {
        const presented = single(headers, header)
        if (presented === undefined || !sameSignature(secret, presented)) return undefined
        return { eventId: bodyDigest(body) }
      }
      if (field === undefined) return undefined
      const parsed = parseJson(body)
      const presented = valuesAt(parsed, field)
      // Every occurrence must carry it (a batch with one forged notification is refused whole).
      let matched = presented.length > 0
      for (const value of presented) matched = (typeof value === 'string' && sameSignature(secret, value)) && matched
      if (!matched) return undefined
      return { eventId: bodyDigest(body), forwardBody: JSON.stringify(withoutField(parsed, field)) }
    },
  }
}
