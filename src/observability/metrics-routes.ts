/**
 * `GET /metrics` on the gateway's own port (SPEC 9): Prometheus text for admin keys only, since
 * the families name every connection and show its traffic and token health. A scraper without
 * a key uses `server.metrics_port` instead (metrics-listener.ts).
 */
import type { FastifyInstance } from 'fastify'
import { requireAdmin } from '../admin/require-admin.js'
import { refuseOtherMethods } from '../edge/method-not-allowed.js'
import type { Caller } from '../callers/types.js'
import type { Metrics } from './metrics.js'
import type { IncomingHttpHeaders } from 'node:http'

export interface MetricsRouteDeps {
  metrics: Metrics
  runtime: () => { identify (headers: IncomingHttpHeaders): Caller | Promise<Caller> }
}

export async function metricsRoutes (app: FastifyInstance, deps: MetricsRouteDeps): Promise<void> {
  // The same door as /admin: a wrong credential is 401 from identify(), none is 401, a user or a
  // key without `admin: true` is 403.
  app.addHook('onRequest', async (request) => {
    requireAdmin(await deps.runtime().identify(request.headers))
  })
  app.get('/metrics', async (_request, reply) => {
    const text = await deps.metrics.registry.metrics()
    return reply.header('content-type', deps.metrics.registry.contentType).header('cache-control', 'no-store').send(text)
  })
  refuseOtherMethods(app, '/metrics', ['GET'])
}
