/**
 * The webhook ingress route and the admin routes of the event queue, each in its own plugin
 * scope. /webhooks parses no body itself: the handler reads the raw bytes (the signature is
 * over them) within body_limit, after the cheap checks.
 */
import type { FastifyInstance } from 'fastify'
import { adminEventRoutes } from '../admin/events-routes.js'
import { refuseOtherMethods } from '../edge/method-not-allowed.js'
import type { Events } from '../events/open.js'
import { receiveWebhook, type WebhookDeps } from './ingress.js'

export interface EventRoutesDeps extends WebhookDeps {
  events: Events
}

export async function eventRoutes (app: FastifyInstance, deps: EventRoutesDeps): Promise<void> {
  await app.register(webhookRoutes, deps)
  await app.register(adminEventRoutes, { runtime: deps.runtime, events: deps.events, now: deps.now })
}

async function webhookRoutes (app: FastifyInstance, deps: WebhookDeps): Promise<void> {
  app.removeAllContentTypeParsers()
  app.addContentTypeParser('*', (_request, _payload, done) => done(null, undefined))
  app.post('/webhooks/:connection', async (request, reply) => {
    const outcome = await receiveWebhook(deps, {
      connection: (request.params as { connection: string }).connection,
      headers: request.headers,
      body: request.raw,
      log: request.log,
    })
    return reply.code(202).send(outcome)
  })
  refuseOtherMethods(app, '/webhooks/:connection', ['POST'])
}
