/**
 * What every request meets before a route: the refusals of framing.ts, and CORS preflights,
 * which latchkey answers itself and never forwards (SPEC 6.2), also when no CORS is configured:
 * an upstream's answer must not grant what callers.cors does not. fastify's first hook (app.ts)
 * and the lean data plane (lean-front.ts) both ask here.
 */
import type { IncomingHttpHeaders } from 'node:http'
import { isPreflight, type Cors, type HeaderMap } from '../callers/cors.js'
import { GatewayError } from '../errors.js'
import { refuseAtTheDoor } from './framing.js'

export type DoorDecision =
  /** Answer with this error (with `headers` too). */
  | { kind: 'refuse', error: GatewayError, headers?: HeaderMap }
  /** Answer 204 with these headers: an allowed preflight. */
  | { kind: 'preflight', headers: HeaderMap }
  /** Go on; every answer carries these CORS headers. */
  | { kind: 'enter', cors: HeaderMap | undefined }

export function atTheDoor (method: string, headers: IncomingHttpHeaders, rawHeaders: readonly string[], cors: Cors | undefined): DoorDecision {
  const refused = refuseAtTheDoor(method, rawHeaders)
  if (refused !== undefined) return { kind: 'refuse', error: refused }
  const origin = headers.origin
  const requestMethod = headers['access-control-request-method'] as string | undefined
  if (isPreflight(method, origin, requestMethod)) {
    const allowed = cors?.preflight(origin, requestMethod, headers['access-control-request-headers'] as string | undefined)
    if (allowed === undefined) {
      return { kind: 'refuse', error: new GatewayError('forbidden', 'cross-origin requests from this origin are not allowed'), headers: { vary: 'Origin' } }
    }
    return { kind: 'preflight', headers: allowed }
  }
  return { kind: 'enter', cors: cors?.corsHeadersFor(origin) }
}
