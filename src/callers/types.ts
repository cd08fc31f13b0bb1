/**
 * Who is calling. Produced once per request by `identifyCaller`, read by the access check and by
 * templates (`caller.kind`, `caller.id`, `user.<claim>`).
 */
import type { JWTPayload } from 'jose'

export type Caller =
  | { readonly kind: 'api_key', readonly id: string, readonly admin: boolean }
  /** `id` is the value of the configured owner claim (default `sub`). */
  | { readonly kind: 'user', readonly id: string, readonly claims: Readonly<JWTPayload> }
  | { readonly kind: 'anonymous', readonly id: null }

export const ANONYMOUS: Caller = Object.freeze({ kind: 'anonymous', id: null })
