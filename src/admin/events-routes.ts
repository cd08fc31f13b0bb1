/**
 * The event queue's dead letters (SPEC 8.2), for admin keys only: `GET /admin/events/dead`
 * lists them (what and why, never a body, a signature or a secret), and
 * `POST /admin/events/dead/:id/retry` puts one back in the queue, due now, with a fresh
 * retry window (404 when there is no such dead letter).
 */
import type { FastifyInstance } from 'fastify'
import { refuseOtherMethods } from '../edge/method-not-allowed.js'
import { GatewayError } from '../errors.js'
import { EVENT_ID } from '../events/event.js'
import type { Events } from '../events/open.js'
import type { DeadLetter } from '../events/queue/types.js'
import type { Runtime } from '../runtime/build.js'
import { requireAdmin } from './require-admin.js'

export interface AdminEventDeps {
  runtime: () => Runtime
  events: Pick<Events, 'queue' | 'wake'>
  now: () => number
}

/** Listed at most; the newest first. */
const LIST_LIMIT = 1000

export async function adminEventRoutes (app: FastifyInstance, deps: AdminEventDeps): Promise<void> {
  app.removeAllContentTypeParsers()
  // The retry takes no body; whatever is sent is not read.
  app.addContentTypeParser('*', (_request, _payload, done) => done(null, undefined))
  app.addHook('onRequest', async (request) => {
    requireAdmin(await deps.runtime().identify(request.headers))
  })

  app.get('/admin/events/dead', async () => {
    const letters = await deps.events.queue.dead(LIST_LIMIT)
    return { events: letters.map(deadLetterSummary) }
  })

  app.post('/admin/events/dead/:id/retry', async (request, reply) => {
    const { id } = request.params as { id: string }
    if (!EVENT_ID.test(id) || !(await deps.events.queue.requeueDead(id, deps.now()))) {
      throw new GatewayError('not_found', 'no such dead letter')
    }
    deps.events.wake()
    request.log.info({ event: id }, 'dead letter re-queued')
    return reply.code(202).send({ id, status: 'queued' })
  })

  refuseOtherMethods(app, '/admin/events/dead', ['GET'])
  refuseOtherMethods(app, '/admin/events/dead/:id/retry', ['POST'])
}

function deadLetterSummary (letter: DeadLetter) {
  const { event, state } = letter
  return {
    id: event.id,
    type: event.type,
    connection: event.connection,
    created_at: new Date(event.created_at).toISOString(),
    dead_at: new Date(letter.dead_at).toISOString(),
    attempts: state.attempts,
    last_error: state.last_error ?? null,
  }
}
