/**
 * buildApp: the fastify instance with every step registered in flow order. Dependencies come
 * in; nothing here reads the environment or opens connections.
 */
import Fastify, { LogController, type FastifyBaseLogger, type FastifyError, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify'
import type { Logger } from 'pino'
import { lazyChildLoggerFactory } from './observability/logger.js'
import { adminRoutes, type AdminDeps } from './admin/routes.js'
import { connectRoutes, type ConnectDeps } from './connect/routes.js'
import { discoveryRoutes } from './catalog/discovery-routes.js'
import { mcpRoutes, type McpDeps } from './mcp/routes.js'
import { eventRoutes, type EventRoutesDeps } from './webhooks/routes.js'
import { errorBody, GatewayError, isGatewayError } from './errors.js'
import { healthRoutes, type HealthDeps } from './observability/health.js'
import type { Metrics } from './observability/metrics.js'
import { metricsRoutes } from './observability/metrics-routes.js'
import { actionsRoute } from './proxy/actions.js'
import { proxyRoute, type ProxyDeps } from './proxy/route.js'
import { safeRequestId } from './proxy/header-hygiene.js'
import { answerClientError, bodyUnfinished, serverTimeoutOptions } from './edge/framing.js'
import { atTheDoor } from './edge/door.js'
import { leanServerFactory } from './edge/lean-front.js'
import { accessLog } from './observability/access-log.js'

export interface AppDeps extends ProxyDeps {
  logger: Logger
  health: HealthDeps
  metrics: Metrics
  /** What /admin needs from the gateway beyond the runtime. */
  admin: Omit<AdminDeps, 'runtime'>
  /** What the connect flow (SPEC 8) needs beyond the runtime. */
  connect: Omit<ConnectDeps, 'runtime'>
  /** POST /webhooks/:connection and /admin/events (SPEC 13, 8.2); absent: not served. */
  events?: EventRoutesDeps
  /** /mcp (SPEC 11); absent: not served. */
  mcp?: McpDeps
}

declare module 'fastify' {
  interface FastifyRequest {
    /** The access line and request metric were written. */
    accessLogged: boolean
  }
}

export async function buildApp (deps: AppDeps): Promise<FastifyInstance> {
  const logAccess = accessLog(deps.logger, deps.metrics)
  let closing = false
  const app = Fastify({
    // /proxy and /actions run on the lean front ahead of fastify (src/edge/lean-front.ts).
    serverFactory: leanServerFactory({
      logger: deps.logger,
      accessLog: logAccess,
      cors: () => deps.runtime().cors,
      closing: () => closing,
      routes: { proxy: proxyRoute(deps), actions: actionsRoute(deps) },
    }),
    // headers_timeout, request_timeout and keep_alive_timeout, enforced to within a second.
    ...serverTimeoutOptions(deps.runtime().config.server),
    clientErrorHandler: answerClientError,
    loggerInstance: deps.logger as FastifyBaseLogger,
    // Our own access log (below) logs an allow-list of fields, never URLs with their query.
    logController: new LogController({ disableRequestLogging: true }),
    // The request's child logger is made only when the request logs something.
    childLoggerFactory: (logger, bindings, options) => lazyChildLoggerFactory(logger as Logger, bindings, options) as FastifyBaseLogger,
    genReqId: (req) => safeRequestId(req.headers['x-request-id']),
    requestIdHeader: false,
    return503OnClosing: true,
    forceCloseConnections: 'idle',
    // Routing must see the path exactly as sent: path safety decides, not the router.
    routerOptions: { ignoreTrailingSlash: false, ignoreDuplicateSlashes: false, maxParamLength: 2048 },
    frameworkErrors: (err, request, reply) => {
      const code = err.code === 'FST_ERR_BAD_URL' ? 'invalid_path' : 'invalid_request'
      // No hook runs for these: the headers every response carries are set here.
      reply.header('x-request-id', request.id).header('server-timing', baseServerTiming(reply))
      if (bodyUnfinished(request.raw)) reply.header('connection', 'close')
      void sendError(reply, new GatewayError(code, code === 'invalid_path' ? 'malformed URL' : 'malformed request'), request.id)
    },
  })

  app.decorateRequest('accessLogged', false)
  app.addHook('preClose', (done) => {
    closing = true
    done()
  })

  const logRequest = (request: FastifyRequest, reply: FastifyReply, aborted: boolean): void => {
    // Once per request: a response 'error' runs onResponse and is then closed unfinished too.
    if (request.accessLogged) return
    request.accessLogged = true
    logAccess({ reqId: request.id, method: request.method, connection: null, status: reply.statusCode, ms: reply.elapsedTime, upstreamSeconds: null, aborted })
  }

  // Hooks take `done` rather than being async: an async hook costs a promise and a microtask
  // turn per request, and these do no async work.
  app.addHook('onRequest', (request, reply, done) => {
    reply.header('x-request-id', request.id)
    // A caller that goes away before its answer is complete gets no onResponse: its request is
    // still counted and logged once (fastify's onRequestAbort misses aborts during a download).
    reply.raw.once('close', () => { if (!reply.raw.writableFinished) logRequest(request, reply, true) })
    const door = atTheDoor(request.method, request.headers, request.raw.rawHeaders, deps.runtime().cors)
    switch (door.kind) {
      case 'refuse':
        // Answering without calling done() ends the request here.
        if (door.headers !== undefined) reply.headers(door.headers)
        sendError(reply, door.error, request.id)
        return
      case 'preflight':
        reply.code(204).headers(door.headers).send()
        return
      case 'enter':
        if (door.cors !== undefined) reply.headers(door.cors)
        done()
        return
      default: {
        const unknown: never = door
        throw new Error(`unknown door decision ${JSON.stringify(unknown)}`)
      }
    }
  })

  // Every response carries Server-Timing; the data plane sets its own detailed one. An answer
  // that comes before the caller's body is in ends the connection (src/edge/framing.ts).
  app.addHook('onSend', (request, reply, payload, done) => {
    if (!reply.hasHeader('server-timing')) reply.header('server-timing', baseServerTiming(reply))
    if (!bodyUnfinished(request.raw)) {
      done(null, payload)
      return
    }
    // node runs microtasks between its parser's callbacks, so an answer decided right after the
    // head can come before the parser has even seen the body bytes of the same packet. Asking
    // again once the current input is parsed keeps keep-alive for complete requests.
    setImmediate(() => {
      if (bodyUnfinished(request.raw)) reply.header('connection', 'close')
      done(null, payload)
    })
  })

  app.addHook('onResponse', (request, reply, done) => {
    logRequest(request, reply, false)
    done()
  })

  app.setErrorHandler((err: FastifyError | GatewayError, request, reply) => {
    const gatewayError = toGatewayError(err)
    if (gatewayError.status >= 500 && !isGatewayError(err)) request.log.error({ err }, 'unexpected error')
    else if (gatewayError.status >= 500) request.log.warn({ code: gatewayError.code, reason: gatewayError.message }, 'request failed')
    return sendError(reply, gatewayError, request.id)
  })

  app.setNotFoundHandler((request, reply) => sendError(reply, new GatewayError('not_found', 'no such route'), request.id))

  await app.register(healthRoutes, deps.health)
  await app.register(metricsRoutes, { metrics: deps.metrics, runtime: deps.runtime })
  // Each in its own plugin scope: /admin parses JSON only.
  await app.register(adminRoutes, { ...deps.admin, runtime: deps.runtime })
  // Connect links (JSON) and the end user's connect pages (HTML), each with its own parsers.
  await app.register(connectRoutes, { ...deps.connect, runtime: deps.runtime })
  // GET /connectors: the public catalog for apps' own pickers (any key or user).
  await app.register(discoveryRoutes, { runtime: deps.runtime })
  if (deps.events !== undefined) await app.register(eventRoutes, deps.events)
  if (deps.mcp !== undefined) await app.register(mcpRoutes, deps.mcp)
  return app
}

/** Server-Timing of a response latchkey answers without auth or upstream work. */
function baseServerTiming (reply: FastifyReply): string {
  const total = reply.elapsedTime
  return `auth;dur=0, upstream;dur=0, total;dur=${Number.isFinite(total) ? total.toFixed(1) : '0.0'}`
}

function sendError (reply: FastifyReply, err: GatewayError, requestId: string): FastifyReply {
  if (err.headers !== undefined) reply.headers(err.headers)
  return reply.code(err.status).header('content-type', 'application/json; charset=utf-8').send(errorBody(err, requestId))
}

/** Fastify's own errors (body too large, bad content type, ...) in our vocabulary. */
function toGatewayError (err: FastifyError | GatewayError): GatewayError {
  if (isGatewayError(err)) return err
  switch (err.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE': return new GatewayError('payload_too_large', 'the request body exceeds body_limit')
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
    case 'FST_ERR_VALIDATION': return new GatewayError('invalid_request', err.message.split('\n', 1)[0] ?? 'invalid request')
    default:
      if (typeof err.statusCode === 'number' && err.statusCode >= 400 && err.statusCode < 500) {
        return new GatewayError('invalid_request', 'invalid request')
      }
      return new GatewayError('internal_error', 'internal error')
  }
}

export type { FastifyInstance, FastifyRequest }
