/**
 * `server.metrics_port` (SPEC 9): `/metrics` without auth on a port of its own, for a scraper on
 * a private network. A bare node:http server, bound to `server.host` like the gateway: no
 * fastify, no hooks, no other route, so nothing of the data plane or /admin is reachable here.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { Metrics } from './metrics.js'

export interface MetricsListener {
  /** `http://host:port` actually bound (port 0 picks one). */
  readonly url: string
  close (): Promise<void>
}

/** A scrape is a small GET; a client slower than this is not a scraper. */
const SCRAPE_TIMEOUT_MS = 10_000

export async function listenMetrics (metrics: Metrics, host: string, port: number): Promise<MetricsListener> {
  const server = createServer({ headersTimeout: SCRAPE_TIMEOUT_MS, requestTimeout: SCRAPE_TIMEOUT_MS }, (req, res) => {
    answer(metrics, req, res).catch(() => {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' })
      res.end('metrics collection failed\n')
    })
  })
  server.keepAliveTimeout = SCRAPE_TIMEOUT_MS
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen({ host, port }, () => {
      server.off('error', reject)
      resolve()
    })
  })
  return { url: urlOf(server, host), close: () => closeServer(server) }
}

async function answer (metrics: Metrics, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const path = (req.url ?? '').split('?', 1)[0]
  if (path !== '/metrics') {
    res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' })
    res.end('only /metrics is served on this port\n')
    return
  }
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain; charset=utf-8' })
    res.end('/metrics takes GET\n')
    return
  }
  const text = await metrics.registry.metrics()
  res.writeHead(200, { 'content-type': metrics.registry.contentType, 'cache-control': 'no-store' })
  res.end(req.method === 'HEAD' ? undefined : text)
}

function urlOf (server: Server, host: string): string {
  const { port } = server.address() as AddressInfo
  return `http://${host.includes(':') ? `[${host}]` : host}:${port}`
}

async function closeServer (server: Server): Promise<void> {
  const closed = new Promise<void>((resolve) => server.close(() => resolve()))
  // A scraper's keep-alive connection must not hold the shutdown.
  server.closeAllConnections()
  await closed
}
