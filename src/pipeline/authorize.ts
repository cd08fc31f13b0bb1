/**
 * Steps 2 and 3 of SPEC 6.1: identify the caller, then hold it to the connection's access
 * policy, status, rate limit and user requirement. Nothing here renders a credential, so a
 * request refused here has touched no secret.
 */
import { enforceRateLimit, type RateCounter } from '../callers/rate-limit.js'
import { ANONYMOUS, type Caller } from '../callers/types.js'
import { GatewayError } from '../errors.js'
import type { ForwardTarget, PlaneRequest } from './types.js'

export interface Authorized {
  caller: Caller
  target: ForwardTarget
}

export async function authorize (request: PlaneRequest, rateCounter: RateCounter): Promise<Authorized> {
  const { conn, method, principal } = request
  if (principal.kind === 'operator') {
    // The connection's own test request: the operator's, no caller policy (types.ts Principal).
    return { caller: ANONYMOUS, target: targetFor(request, ANONYMOUS) }
  }
  const caller = await principal.identify()
  const owner = conn.connection.owner
  // Refuse an unadmitted caller before rendering anything for it: check() throws `forbidden`
  // whatever the path when admits() is false.
  if (typeof request.target === 'function' && !conn.access.admits(caller, owner)) conn.access.check(caller, method, '/', owner)
  const target = targetFor(request, caller)
  conn.access.check(caller, method, target.path.normalized, owner)
  // Only a caller the connection admits learns that it cannot be used yet (SPEC 8.1).
  const status = conn.connection.status
  if (status === 'refresh_failed' || status === 'pending') {
    throw new GatewayError('connection_not_authorized', status === 'pending'
      ? 'the connection is not connected yet: finish connecting it'
      : 'the connection\'s authorization has expired: reconnect it')
  }
  if (conn.rateLimit !== undefined) await enforceRateLimit(rateCounter, conn.id, conn.rateLimit, caller, request.ip)
  if (conn.readsUser && caller.kind !== 'user') throw new GatewayError('user_required', 'this connection needs a signed-in user')
  return { caller, target }
}

function targetFor (request: PlaneRequest, caller: Caller): ForwardTarget {
  return typeof request.target === 'function' ? request.target(caller) : request.target
}
