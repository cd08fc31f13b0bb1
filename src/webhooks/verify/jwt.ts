/**
 * A JWT in a header, signed HS256 with the shared secret: monday.com's `Authorization` header,
 * signed with the app's Signing Secret (https://developer.monday.com/apps/docs/authorization-header).
 * Verified with jose, the algorithm pinned to HS256 (`none` and every other one refused),
 * `exp` and `iat` required, `iat` at most `tolerance` old and not in the future, `aud` equal
 * to `audience` when set. A `Bearer ` prefix is accepted. The token is not bound to the body:
 * within its lifetime it vouches for whatever is sent with it (the provider's design).
 * Event id: `event_id` when configured, else a digest of the body.
 */
import { errors, jwtVerify } from 'jose'
import type { WebhookVerifyConfig } from '../../config/schema.js'
import { bodyDigest, single } from './compare.js'
import type { SchemeVerifier } from './types.js'

const COMPACT_JWS = /^[A-Za-z0-9_-]{1,4096}\.[A-Za-z0-9_-]{1,16384}\.[A-Za-z0-9_-]{1,1024}$/

export function jwtVerifier (config: Pick<WebhookVerifyConfig, 'header' | 'audience'>): SchemeVerifier {
  const header = (config.header ?? 'Authorization').toLowerCase()
  const audience = config.audience
  return {
    eventHeaders: [],
    async verify ({ headers, body }, { secret, nowMs, toleranceMs }) {
      const presented = single(headers, header)?.trim().replace(/^bearer\s+/i, '')
      if (presented === undefined || !COMPACT_JWS.test(presented)) return undefined
      try {
        await jwtVerify(presented, new TextEncoder().encode(secret), {
          algorithms: ['HS256'],
          requiredClaims: ['exp', 'iat'],
          maxTokenAge: Math.ceil(toleranceMs / 1000),
          currentDate: new Date(nowMs),
          ...(audience === undefined ? {} : { audience }),
        })
      } catch (err) {
        if (err instanceof errors.JOSEError) return undefined
        throw err
      }
      return { eventId: bodyDigest(body) }
    },
  }
}
