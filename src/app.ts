/**
 * buildApp: the fastify instance with every step registered in flow order. Dependencies come
 * in; nothing here reads the environment or opens connections.
 */
import Fastify, { LogController, type FastifyBaseLogger, type FastifyError, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify'
import type { Logger } from 'pino'
import { lazyChildLoggerFactory } from './observability/logger.js'
import { adminRoutes, type AdminDeps } from './admin/routes.js'
import { connectRoutes, type ConnectDeps } from './connect/routes.js'
import { eventRoutes, type EventRoutesDeps } from './webhooks/routes.js'
import { errorBody, GatewayError, isGatewayError } from './errors.js'
import { isPreflight } from './callers/cors.js'
import { healthRoutes, type HealthDeps } from './observability/health.js'
import type { Metrics } from './observability/metrics.js'
import { metricsRoutes } from './observability/metrics-routes.js'
import { actionRoutes } from './proxy/actions.js'
import { proxyRoutes, type ProxyDeps } from './proxy/route.js'
import { safeRequestId } from './proxy/header-hygiene.js'
import { answerClientError, bodyUnfinished, refuseAtTheDoor, serverTimeoutOptions } from './edge/framing.js'

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
}

export async function buildApp (deps: AppDeps): Promise<FastifyInstance> {
  const app = Fastify({
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

  app.decorateRequest('connectionId', null)
  app.decorateRequest('upstreamSeconds', null)
  app.decorateRequest('accessLogged', false)

  // The level is fixed for the life of the logger: with the access line off, no per-request
  // object is built for it.
  const accessLog = deps.logger.isLevelEnabled('info')
  const logRequest = (request: FastifyRequest, reply: FastifyReply, aborted: boolean): void => {
    // Once per request: a response 'error' runs onResponse and is then closed unfinished too.
    if (request.accessLogged) return
    request.accessLogged = true
    deps.metrics.request(request.connectionId, reply.statusCode, request.upstreamSeconds)
    if (accessLog) {
      // The root logger with reqId spelled out: the same line as request.log's, without building
      // the per-request child logger (see LazyChildLogger) just for it.
      deps.logger.info({
        reqId: request.id,
        method: request.method,
        connection: request.connectionId,
        status: reply.statusCode,
        ms: Math.round(reply.elapsedTime * 10) / 10,
        ...(aborted ? { aborted: true } : {}),
      }, 'request')
    }
  }

  // Hooks take `done` rather than being async: an async hook costs a promise and a microtask
  // turn per request (measured with `npm run bench -- --profile`), and these do no async work.
  app.addHook('onRequest', (request, reply, done) => {
    reply.header('x-request-id', request.id)
    // A caller that goes away before its answer is complete gets no onResponse: its request is
    // still counted and logged once (fastify's onRequestAbort misses aborts during a download).
    reply.raw.once('close', () => { if (!reply.raw.writableFinished) logRequest(request, reply, true) })
    const refused = refuseAtTheDoor(request.method, request.raw.rawHeaders)
    if (refused !== undefined) {
      sendError(reply, refused, request.id)
      return
    }
    const cors = deps.runtime().cors
    const origin = request.headers.origin
    if (isPreflight(request.method, origin, request.headers['access-control-request-method'] as string | undefined)) {
      // Preflights are answered here and never forwarded, also when no CORS is configured:
      // an upstream's answer must not grant what callers.cors does not. Answering without
      // calling done() ends the request here.
      const headers = cors?.preflight(origin, request.headers['access-control-request-method'] as string | undefined,
        request.headers['access-control-request-headers'] as string | undefined)
      if (headers === undefined) {
        sendError(reply.header('vary', 'Origin'), new GatewayError('forbidden', 'cross-origin requests from this origin are not allowed'), request.id)
        return
      }
      reply.code(204).headers(headers).send()
      return
    }
    if (cors !== undefined) reply.headers(cors.corsHeadersFor(origin))
    done()
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
  // Each in its own plugin scope: /proxy parses no body, /actions and /admin parse JSON only.
  await app.register(proxyRoutes, deps)
  await app.register(actionRoutes, deps)
  await app.register(adminRoutes, { ...deps.admin, runtime: deps.runtime })
  // Connect links (JSON) and the end user's connect pages (HTML), each with its own parsers.
  await app.register(connectRoutes, { ...deps.connect, runtime: deps.runtime })
  if (deps.events !== undefined) await app.register(eventRoutes, deps.events)
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
