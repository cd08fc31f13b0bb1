/**
 * The webhook ingress route, the admin routes of handshake-captured secrets and those of the
 * event queue, each in its own plugin scope. /webhooks parses no body itself: the handler
 * reads the raw bytes (the signature is over them) within body_limit, after the cheap checks.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { adminEventRoutes } from '../admin/events-routes.js'
import { requireAdmin } from '../admin/require-admin.js'
import { ID_PATTERN } from '../config/patterns.js'
import { refuseOtherMethods } from '../edge/method-not-allowed.js'
import { GatewayError } from '../errors.js'
import type { Events } from '../events/open.js'
import { armHandshake, forgetSecret } from './hook-secret.js'
import { receiveWebhook, type WebhookDeps } from './ingress.js'

export interface EventRoutesDeps extends WebhookDeps {
  events: Events
}

const ID = new RegExp(ID_PATTERN)

export async function eventRoutes (app: FastifyInstance, deps: EventRoutesDeps): Promise<void> {
  await app.register(webhookRoutes, deps)
  await app.register(adminHandshakeRoutes, deps)
  await app.register(adminEventRoutes, { runtime: deps.runtime, events: deps.events, now: deps.now })
}

async function webhookRoutes (app: FastifyInstance, deps: WebhookDeps): Promise<void> {
  app.removeAllContentTypeParsers()
  app.addContentTypeParser('*', (_request, _payload, done) => done(null, undefined))
  const handle = (method: 'POST' | 'HEAD') => async (request: FastifyRequest, reply: FastifyReply) => {
    const outcome = await receiveWebhook(deps, {
      connection: (request.params as { connection: string }).connection,
      method,
      url: request.url,
      headers: request.headers,
      body: request.raw,
      log: request.log,
    })
    if (outcome.status !== 'answered') return reply.code(202).send(outcome)
    const { answer } = outcome
    return reply.code(answer.status).headers(answer.headers).send(answer.body)
  }
  app.post('/webhooks/:connection', handle('POST'))
  // Trello checks a callback URL with HEAD before it creates the webhook (handshake `head`).
  app.head('/webhooks/:connection', handle('HEAD'))
  refuseOtherMethods(app, '/webhooks/:connection', ['POST', 'HEAD'])
}

/**
 * `POST /admin/webhooks/:connection/handshake` arms a `hook_secret` handshake (admin keys):
 * 201 `{connection, url, expires_at}`, the one-time URL to register with the provider.
 * `DELETE /admin/webhooks/:connection/secret` forgets the captured secret and any armed window.
 */
async function adminHandshakeRoutes (app: FastifyInstance, deps: WebhookDeps): Promise<void> {
  app.removeAllContentTypeParsers()
  app.addContentTypeParser('*', (_request, _payload, done) => done(null, undefined))
  app.addHook('onRequest', async (request) => {
    requireAdmin(await deps.runtime().identify(request.headers))
  })
  const capturing = async (request: FastifyRequest): Promise<string> => {
    const { connection } = request.params as { connection: string }
    const conn = ID.test(connection) ? await deps.connections.lookup(connection) : undefined
    if (conn === undefined) throw new GatewayError('connection_not_found', 'no such connection')
    if (conn.connector.webhooks?.verify.handshake !== 'hook_secret') {
      throw new GatewayError('invalid_request', "this connection's webhooks take no handshake secret (verify.handshake hook_secret)")
    }
    return conn.id
  }
  app.post('/admin/webhooks/:connection/handshake', async (request, reply) => {
    const connection = await capturing(request)
    const { nonce, expiresAt } = await armHandshake(deps.store, connection, deps.now())
    request.log.info({ connection, expires_at: new Date(expiresAt).toISOString() }, 'webhook handshake armed')
    const url = `${deps.runtime().config.server.public_url}/webhooks/${connection}?handshake=${nonce}`
    return reply.code(201).header('cache-control', 'no-store').send({ connection, url, expires_at: new Date(expiresAt).toISOString() })
  })
  app.delete('/admin/webhooks/:connection/secret', async (request) => {
    const connection = await capturing(request)
    const removed = await forgetSecret(deps.store, connection)
    request.log.info({ connection, removed }, 'webhook secret forgotten')
    return { connection, removed }
  })
  refuseOtherMethods(app, '/admin/webhooks/:connection/handshake', ['POST'])
  refuseOtherMethods(app, '/admin/webhooks/:connection/secret', ['DELETE'])
}
