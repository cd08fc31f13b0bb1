/**
 * Who may use /admin (SPEC 9): an api-key caller with `admin: true`, nobody else. Anonymous is
 * 401 (an admin key is required and none was sent); a user or a non-admin key is 403.
 */
import type { Caller } from '../callers/types.js'
import { GatewayError } from '../errors.js'

export function requireAdmin (caller: Caller): void {
  if (caller.kind === 'anonymous') throw new GatewayError('unauthenticated', 'admin endpoints require an admin api key')
  if (caller.kind !== 'api_key' || !caller.admin) throw new GatewayError('forbidden', 'admin endpoints require an api key with admin: true')
}
