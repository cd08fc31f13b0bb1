/**
 * A real HTTP upstream on port 0 that records exactly what it received: method, raw URL, raw
 * header pairs and body bytes. Tests assert on these, i.e. on what the third-party API saw.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { TeardownHost } from './redis.js'

export interface Received {
  method: string
  /** path and query exactly as on the request line */
  url: string
  /** lower-case name -> value (repeated headers joined with ', ') */
  headers: Record<string, string>
  rawHeaders: string[]
  body: Buffer
}

export interface RecordingUpstream {
  url: string
  origin: string
  port: number
  received: Received[]
  /** the listening server, e.g. to count its connections (see sockets.ts) */
  server: Server
  /** the last request, failing loudly when there is none */
  last (): Received
}

export type UpstreamHandler = (req: IncomingMessage, res: ServerResponse, received: Received) => void | Promise<void>

const defaultHandler: UpstreamHandler = (_req, res) => {
  res.writeHead(200, { 'content-type': 'application/json' })
  res.end('{"ok":true}')
}

/**
 * `handler` answers; the body is read fully before it runs unless `streaming` is set, in which
 * case the handler owns the request stream and `received.body` stays empty.
 */
export async function recordingUpstream (t: TeardownHost, handler: UpstreamHandler = defaultHandler, options: { streaming?: boolean } = {}): Promise<RecordingUpstream> {
  const received: Received[] = []
  const server = createServer(async (req, res) => {
    const entry: Received = {
      method: req.method ?? '',
      url: req.url ?? '',
      headers: Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(', ') : v ?? ''])),
      rawHeaders: req.rawHeaders,
      body: Buffer.alloc(0),
    }
    received.push(entry)
    if (options.streaming !== true) {
      const chunks: Buffer[] = []
      try {
        for await (const chunk of req) chunks.push(chunk as Buffer)
      } catch {
        // The request was aborted mid-body (latchkey gave up on it): nothing to answer.
        return
      }
      entry.body = Buffer.concat(chunks)
    }
    try {
      await handler(req, res, entry)
    } catch {
      res.destroy()
    }
  })
  server.keepAliveTimeout = 1000
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  t.teardown(() => new Promise<void>((resolve) => {
    server.closeAllConnections()
    server.close(() => resolve())
  }))
  const port = (server.address() as AddressInfo).port
  const origin = `http://127.0.0.1:${port}`
  return {
    url: origin,
    origin,
    port,
    received,
    server,
    last () {
      const r = received.at(-1)
      if (r === undefined) throw new Error('the upstream received no request')
      return r
    },
  }
}
