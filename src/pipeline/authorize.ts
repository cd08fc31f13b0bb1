/**
 * Steps 2 and 3 of SPEC 6.1: identify the caller, then hold it to the connection's access
 * policy, status, rate limit and user requirement. Nothing here renders a credential, so a
 * request refused here has touched no secret.
 *
 * Synchronous unless identifying (a user JWT) or the rate limit (a Redis counter) must wait.
 */
import { enforceRateLimit, type RateCounter } from '../callers/rate-limit.js'
import { ANONYMOUS, type Caller } from '../callers/types.js'
import { GatewayError } from '../errors.js'
import type { ForwardTarget, MaybePromise, PlaneRequest } from './types.js'

export interface Authorized {
  caller: Caller
  target: ForwardTarget
}

export function authorize (request: PlaneRequest, rateCounter: RateCounter): MaybePromise<Authorized> {
  const { principal } = request
  if (principal.kind === 'operator') {
    // The connection's own test request: the operator's, no caller policy (types.ts Principal).
    return { caller: ANONYMOUS, target: targetFor(request, ANONYMOUS) }
  }
  const identified = principal.identify()
  return identified instanceof Promise
    ? identified.then((caller) => admit(request, caller, rateCounter))
    : admit(request, identified, rateCounter)
}

function admit (request: PlaneRequest, caller: Caller, rateCounter: RateCounter): MaybePromise<Authorized> {
  const { conn, method } = request
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
  const authorized = { caller, target }
  if (conn.rateLimit !== undefined) {
    return enforceRateLimit(rateCounter, conn.id, conn.rateLimit, caller, request.ip).then(() => userCheck(request, authorized))
  }
  return userCheck(request, authorized)
}

function userCheck (request: PlaneRequest, authorized: Authorized): Authorized {
  if (request.conn.readsUser && authorized.caller.kind !== 'user') throw new GatewayError('user_required', 'this connection needs a signed-in user')
  return authorized
}

function targetFor (request: PlaneRequest, caller: Caller): ForwardTarget {
  return typeof request.target === 'function' ? request.target(caller) : request.target
}
