/**
 * One access line and one request metric per request, whichever server front answered it
 * (fastify for the control plane, the lean front for /proxy and /actions). The line is an
 * allow-list of fields: never a URL with its query, never a header.
 */
import type { Logger } from 'pino'
import type { Metrics } from './metrics.js'

export interface AccessEntry {
  reqId: string
  method: string | undefined
  connection: string | null
  status: number
  ms: number
  upstreamSeconds: number | null
  /** The caller went away before its answer was complete. */
  aborted: boolean
}

export type AccessLog = (entry: AccessEntry) => void

export function accessLog (logger: Logger, metrics: Metrics): AccessLog {
  // The level is fixed for the life of the logger: with the access line off, no per-request
  // object is built for it.
  const enabled = logger.isLevelEnabled('info')
  return (entry) => {
    metrics.request(entry.connection, entry.status, entry.upstreamSeconds)
    if (!enabled) return
    // The root logger with reqId spelled out: the same line a request's child logger would
    // write, without building one just for it.
    logger.info({
      reqId: entry.reqId,
      method: entry.method,
      connection: entry.connection,
      status: entry.status,
      ms: Math.round(entry.ms * 10) / 10,
      ...(entry.aborted ? { aborted: true } : {}),
    }, 'request')
  }
}
