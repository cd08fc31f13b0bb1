/**
 * SPEC 6.5 `method_not_allowed`: a known route called with a method it does not take is 405
 * with `Allow`, not 404, so a client sees it has the right URL and the wrong verb.
 */
import type { FastifyInstance, HTTPMethods } from 'fastify'
import { GatewayError } from '../errors.js'

const METHODS: readonly HTTPMethods[] = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']

/** Registers every other method of `url` as a 405. fastify answers HEAD itself where GET is taken. */
export function refuseOtherMethods (app: FastifyInstance, url: string, taken: readonly HTTPMethods[]): void {
  const others = METHODS.filter((m) => !taken.includes(m) && !(m === 'HEAD' && taken.includes('GET')))
  const allow = taken.includes('GET') && !taken.includes('HEAD') ? [...taken, 'HEAD'] : taken
  const refusal = (): never => {
    throw new GatewayError('method_not_allowed', `this route takes ${allow.join(', ')}`, { headers: { allow: allow.join(', ') } })
  }
  app.route({ method: [...others], url, handler: async () => refusal() })
}
