/**
 * Requests whose path goes on the wire exactly as written. `fetch` and `new URL` normalize dot
 * segments and re-encode characters, which would hide exactly what a security test is about.
 * `rawRequest` uses node:http (no normalization, but it refuses control characters and spaces);
 * `rawExchange` writes bytes on a socket for request lines node:http will not send.
 */
import { request, type IncomingHttpHeaders, type OutgoingHttpHeaders } from 'node:http'
import { connect } from 'node:net'

export interface RawResponse {
  status: number
  headers: IncomingHttpHeaders
  body: Buffer
  text: string
}

export interface RawRequestOptions {
  method?: string
  /** sent as is on the request line */
  path: string
  headers?: OutgoingHttpHeaders
  body?: string | Buffer
}

/** One request on a fresh connection (no keep-alive pool shared between tests). */
export function rawRequest (origin: string, options: RawRequestOptions): Promise<RawResponse> {
  const url = new URL(origin)
  return new Promise((resolve, reject) => {
    const req = request({
      host: url.hostname,
      port: url.port,
      method: options.method ?? 'GET',
      path: options.path,
      headers: options.headers,
      agent: false,
    }, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (c: Buffer) => chunks.push(c))
      res.on('error', reject)
      res.on('end', () => {
        const body = Buffer.concat(chunks)
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body, text: body.toString('utf8') })
      })
    })
    req.on('error', reject)
    req.end(options.body)
  })
}

/**
 * Writes `head` (and nothing else) to a new socket and returns everything the server sent
 * until it closed the connection or `timeoutMs` passed.
 */
export function rawExchange (origin: string, head: string, timeoutMs = 3000): Promise<string> {
  const url = new URL(origin)
  return new Promise((resolve, reject) => {
    const socket = connect(Number(url.port), url.hostname)
    const chunks: Buffer[] = []
    const timer = setTimeout(() => socket.destroy(), timeoutMs)
    socket.on('connect', () => socket.write(head, 'latin1'))
    socket.on('data', (c: Buffer) => chunks.push(c))
    socket.on('error', (err) => { clearTimeout(timer); reject(err) })
    socket.on('close', () => { clearTimeout(timer); resolve(Buffer.concat(chunks).toString('latin1')) })
  })
}

/** The `code` of a latchkey JSON error body, or undefined when the body is not one. */
export function errorCode (text: string): string | undefined {
  try {
    return (JSON.parse(text) as { error?: { code?: string } }).error?.code
  } catch {
    return undefined
  }
}
