/**
 * A real OTLP/HTTP trace receiver on port 0 for the tracing tests: it records every export
 * exactly as received (the raw bytes, for secret scans) and decodes the JSON encoding latchkey's
 * exporter sends into flat spans with plain attribute values.
 */
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { TeardownHost } from './redis.js'

export interface ReceivedSpan {
  traceId: string
  spanId: string
  /** '' for a root span */
  parentSpanId: string
  name: string
  /** OTLP SpanKind: 1 internal, 2 server, 3 client */
  kind: number
  attributes: Record<string, string | number | boolean>
  status: { code: number, message?: string }
  startTimeUnixNano: string
  endTimeUnixNano: string
  events: unknown[]
  /** the resource's attributes (service.name, ...) */
  resource: Record<string, string | number | boolean>
}

export interface OtlpReceiver {
  /** the traces endpoint to configure: http://127.0.0.1:PORT/v1/traces */
  url: string
  /** every request received: path, headers and body bytes */
  requests: Array<{ path: string, headers: Record<string, string>, body: Buffer }>
  /** every span of every export so far */
  spans (): ReceivedSpan[]
}

export const SPAN_KIND = { internal: 1, server: 2, client: 3 } as const
export const STATUS_ERROR = 2

export async function otlpReceiver (t: TeardownHost): Promise<OtlpReceiver> {
  const requests: OtlpReceiver['requests'] = []
  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = []
    for await (const chunk of req) chunks.push(chunk as Buffer)
    requests.push({
      path: req.url ?? '',
      headers: Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(', ') : v ?? ''])),
      body: Buffer.concat(chunks),
    })
    res.writeHead(200, { 'content-type': 'application/json' })
    res.end('{}')
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  t.teardown(() => new Promise<void>((resolve) => {
    server.closeAllConnections()
    server.close(() => resolve())
  }))
  const port = (server.address() as AddressInfo).port
  return {
    url: `http://127.0.0.1:${port}/v1/traces`,
    requests,
    spans: () => requests.flatMap((r) => decode(r.body)),
  }
}

interface OtlpValue { stringValue?: string, intValue?: string | number, boolValue?: boolean, doubleValue?: number }
interface OtlpAttribute { key: string, value: OtlpValue }
interface OtlpExport {
  resourceSpans?: Array<{
    resource?: { attributes?: OtlpAttribute[] }
    scopeSpans?: Array<{ spans?: Array<Omit<ReceivedSpan, 'attributes' | 'resource' | 'parentSpanId'> & { parentSpanId?: string, attributes?: OtlpAttribute[] }> }>
  }>
}

function decode (body: Buffer): ReceivedSpan[] {
  const parsed = JSON.parse(body.toString('utf8')) as OtlpExport
  return (parsed.resourceSpans ?? []).flatMap((rs) => {
    const resource = plain(rs.resource?.attributes)
    return (rs.scopeSpans ?? []).flatMap((ss) => (ss.spans ?? []).map((span) => ({
      ...span,
      parentSpanId: span.parentSpanId ?? '',
      attributes: plain(span.attributes),
      status: span.status ?? { code: 0 },
      events: span.events ?? [],
      resource,
    })))
  })
}

function plain (attributes: OtlpAttribute[] = []): Record<string, string | number | boolean> {
  const out: Record<string, string | number | boolean> = {}
  for (const { key, value } of attributes) {
    if (value.stringValue !== undefined) out[key] = value.stringValue
    else if (value.intValue !== undefined) out[key] = Number(value.intValue)
    else if (value.boolValue !== undefined) out[key] = value.boolValue
    else if (value.doubleValue !== undefined) out[key] = value.doubleValue
  }
  return out
}
