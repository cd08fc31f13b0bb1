/**
 * The connect flow (SPEC 8) in flow order: the JSON API that hands out links, then the HTML
 * pages the end user sees. Two plugin scopes, because they parse different bodies and answer
 * errors differently (JSON vs an HTML page).
 */
import type { FastifyInstance } from 'fastify'
import type { ConnectDeps } from './deps.js'
import { pageRoutes } from './page-routes.js'
import { sessionRoutes } from './session-routes.js'

export type { ConnectDeps } from './deps.js'

export async function connectRoutes (app: FastifyInstance, deps: ConnectDeps): Promise<void> {
  await app.register(sessionRoutes, deps)
  await app.register(pageRoutes, deps)
}
