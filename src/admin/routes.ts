/**
 * The admin API (SPEC 9): the connector catalog, the connections (never their credentials), a
 * connection's test request and a config reload. Every route is behind one onRequest hook that
 * admits only an api-key caller with `admin: true`, before any body is read.
 * Stored connections (SPEC 8.1) are created, replaced and deleted here; YAML ones are read only.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest, HTTPMethods } from 'fastify'
import { connectorSummary } from '../catalog/summary.js'
import { ConfigError, formatProblem } from '../config/problems.js'
import { ID_PATTERN } from '../config/patterns.js'
import { refuseOtherMethods } from '../edge/method-not-allowed.js'
import { errorBody, GatewayError, isGatewayError } from '../errors.js'
import type { ConnectionTestResult } from '../proxy/connection-test.js'
import type { Runtime } from '../runtime/build.js'
import type { ConnectionService } from '../connections/service.js'
import { connectionSummary, storedDetail, storedSummary } from './connection-summary.js'
import { requireAdmin } from './require-admin.js'

export interface AdminDeps {
  runtime: () => Runtime
  /** Re-reads the config file; throws ConfigError and keeps the running config on any problem. */
  reload: () => Promise<void>
  /** The connector's `test` request for one connection, credentials masked (runConnectionTest). */
  testConnection: (id: string) => Promise<ConnectionTestResult>
  connections: ConnectionService
}

const ID = new RegExp(ID_PATTERN)

/** A connection body is small; this bounds what a caller can make latchkey buffer. */
const ADMIN_BODY_LIMIT = 1024 * 1024
const NOT_JSON = 'admin request bodies must be JSON sent as application/json'

export async function adminRoutes (app: FastifyInstance, deps: AdminDeps): Promise<void> {
  app.removeAllContentTypeParsers()
  app.addContentTypeParser('application/json', { parseAs: 'string', bodyLimit: ADMIN_BODY_LIMIT }, (_request, text, done) => {
    // An empty body with a JSON content type is no body: POST /admin/reload takes none.
    if ((text as string).trim() === '') return done(null, undefined)
    try {
      done(null, JSON.parse(text as string))
    } catch {
      done(new GatewayError('invalid_request', 'the request body is not valid JSON'), undefined)
    }
  })
  app.addContentTypeParser('*', (_request, _payload, done) => done(new GatewayError('invalid_request', NOT_JSON), undefined))

  // Anonymous never reaches a handler: identify() throws 401 for a wrong credential, and
  // requireAdmin refuses no credential (401), users and non-admin keys (403).
  app.addHook('onRequest', async (request) => {
    requireAdmin(await deps.runtime().identify(request.headers))
  })

  app.get('/admin/connectors', async () => {
    const connectors = [...deps.runtime().config.connectors.values()].map(connectorSummary).sort((a, b) => a.slug.localeCompare(b.slug))
    return { connectors }
  })

  app.get('/admin/connectors/:slug', async (request) => {
    const connector = deps.runtime().config.connectors.get((request.params as { slug: string }).slug)
    if (connector === undefined) throw new GatewayError('not_found', 'no such connector')
    return connectorSummary(connector)
  })

  app.get('/admin/connections', async () => {
    const yaml = [...deps.runtime().config.connections.values()].map(connectionSummary)
    const stored = (await deps.connections.allStored()).map(storedSummary)
    return { connections: [...yaml, ...stored].sort((a, b) => a.id.localeCompare(b.id)) }
  })

  app.get('/admin/connections/:id', async (request) => {
    const { id } = request.params as { id: string }
    const yaml = deps.runtime().config.connections.get(id)
    if (yaml !== undefined) return connectionSummary(yaml)
    const stored = ID.test(id) ? await deps.connections.stored(id) : undefined
    if (stored === undefined) throw new GatewayError('connection_not_found', 'no such connection')
    return storedDetail(stored)
  })

  app.put('/admin/connections/:id', async (request, reply) => {
    const { id } = request.params as { id: string }
    if (!ID.test(id)) throw new GatewayError('invalid_request', `invalid connection: id: must match ${ID_PATTERN}`, { details: { problems: [`id: must match ${ID_PATTERN}`] } })
    const { created, record } = await deps.connections.putFromApi(id, request.body ?? {})
    request.log.info({ connection: id, created }, created ? 'stored connection created' : 'stored connection replaced')
    return reply.code(created ? 201 : 200).send(storedDetail(record))
  })

  app.delete('/admin/connections/:id', async (request, reply) => {
    const { id } = request.params as { id: string }
    // delete() refuses a YAML id with 409 connection_conflict.
    if (!ID.test(id) || !(await deps.connections.delete(id))) throw new GatewayError('connection_not_found', 'no such connection')
    request.log.info({ connection: id }, 'stored connection deleted')
    return reply.code(204).send()
  })

  app.post('/admin/connections/:id/test', async (request) => deps.testConnection((request.params as { id: string }).id))

  app.post('/admin/reload', async (request, reply) => {
    try {
      await deps.reload()
    } catch (err) {
      const problems = reloadProblems(err, deps.runtime().config.file)
      if (problems === undefined) throw err
      request.log.warn({ problems }, 'reload refused: keeping the running configuration')
      return sendConfigInvalid(reply, request, problems)
    }
    return { status: 'reloaded' }
  })

  for (const [url, taken] of ADMIN_ROUTES) refuseOtherMethods(app, url, taken)
}

/** Each admin URL and the methods it takes; every other method is 405. */
const ADMIN_ROUTES: ReadonlyArray<[string, HTTPMethods[]]> = [
  ['/admin/connectors', ['GET']],
  ['/admin/connectors/:slug', ['GET']],
  ['/admin/connections', ['GET']],
  ['/admin/connections/:id', ['GET', 'PUT', 'DELETE']],
  ['/admin/connections/:id/test', ['POST']],
  ['/admin/reload', ['POST']],
]

/** The problems of a refused config, one `FILE:LINE:COL: message` each; undefined for any other failure. */
function reloadProblems (err: unknown, file: string): string[] | undefined {
  if (err instanceof ConfigError) return err.problems.map(formatProblem)
  // A check made while building the runtime (e.g. callers.jwt) that reports no position.
  if (isGatewayError(err) && err.code === 'config_invalid') return [formatProblem({ file, line: 1, column: 1, message: err.message })]
  return undefined
}

/**
 * 409 config_invalid in the standard error shape plus `problems`, as `latchkey validate` prints
 * them: positions and messages, never values.
 */
function sendConfigInvalid (reply: FastifyReply, request: FastifyRequest, problems: string[]): FastifyReply {
  const body = errorBody(new GatewayError('config_invalid', 'the new configuration is invalid; the running one is kept'), request.id)
  return reply.code(409).header('content-type', 'application/json; charset=utf-8').send({ error: { ...body.error, problems } })
}
