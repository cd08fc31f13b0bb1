/**
 * `POST /connect/sessions` (SPEC 8): an api-key or user caller asks for a one-time connect link.
 * JSON only, in its own plugin scope with its own small body limit.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify'
import type { Caller } from '../callers/types.js'
import { refuseOtherMethods } from '../edge/method-not-allowed.js'
import { GatewayError } from '../errors.js'
import type { ConnectDeps } from './deps.js'
import { generateConnectionId, parseSessionRequest } from './session-request.js'
import { SESSION_TTL_MS } from './sessions.js'

const SESSION_BODY_LIMIT = 64 * 1024
const NOT_JSON = 'connect session requests must be JSON sent as application/json'

export async function sessionRoutes (app: FastifyInstance, deps: ConnectDeps): Promise<void> {
  app.removeAllContentTypeParsers()
  app.addContentTypeParser('application/json', { parseAs: 'string', bodyLimit: SESSION_BODY_LIMIT }, (_request, text, done) => {
    try {
      done(null, JSON.parse(text as string))
    } catch {
      done(new GatewayError('invalid_request', 'the request body is not valid JSON'), undefined)
    }
  })
  app.addContentTypeParser('*', (_request, _payload, done) => done(new GatewayError('invalid_request', NOT_JSON), undefined))

  // Who may hand out links is decided before any body is read.
  // The caller found there is kept for the handler, so a user JWT is verified once.
  const callers = new WeakMap<FastifyRequest, Caller>()
  app.addHook('onRequest', async (request) => {
    const caller = await deps.runtime().identify(request.headers)
    if (caller.kind === 'anonymous') throw new GatewayError('unauthenticated', 'connect sessions need an api key or a user token')
    callers.set(request, caller)
  })

  app.post('/connect/sessions', async (request, reply) => {
    const runtime = deps.runtime()
    const caller = callers.get(request)
    if (caller === undefined) throw new GatewayError('unauthenticated', 'connect sessions need an api key or a user token')
    if (request.body === undefined) throw new GatewayError('invalid_request', NOT_JSON)
    const wanted = parseSessionRequest(request.body, caller, { connectors: runtime.config.connectors, returnToOrigins: runtime.config.server.connect.return_to_origins })

    let connection = wanted.connection
    if (connection !== undefined) {
      if (runtime.config.connections.has(connection)) {
        throw new GatewayError('connection_conflict', `connection ${connection} is defined in the YAML config`)
      }
      // Naming a stored connection reconnects it: only for the owner it already has.
      const existing = await deps.connections.stored(connection)
      if (existing !== undefined) {
        if (existing.owner !== wanted.owner) throw new GatewayError('forbidden', 'the connection belongs to another owner')
        if (existing.connector !== wanted.connector.slug) {
          throw new GatewayError('invalid_request', 'invalid connect session: connection: uses another connector', { details: { problems: ['connection: uses another connector'] } })
        }
      }
    } else {
      connection = generateConnectionId(wanted.connector.slug)
    }

    const expiresAt = deps.now() + SESSION_TTL_MS
    const token = await deps.sessions.create({
      connector: wanted.connector.slug,
      connection,
      owner: wanted.owner,
      return_to: wanted.return_to,
      auth: wanted.auth,
      created_by: caller.kind === 'api_key' ? caller.id : null,
      expires_at: expiresAt,
    })
    request.log.info({ connection, connector: wanted.connector.slug, caller: caller.kind }, 'connect session created')
    const base = runtime.config.server.public_url.replace(/\/+$/, '')
    return reply.code(201).send({ token, url: `${base}/connect/${token}`, expires_at: new Date(expiresAt).toISOString() })
  })

  refuseOtherMethods(app, '/connect/sessions', ['POST'])
}
