/**
 * Shared pieces of the fault-injection tests (test/integration/faults/): a caller that reports
 * whether a response body ended cleanly, the SPEC 6.5 error-body check, and the closing check
 * that no socket was left behind.
 */
import { randomBytes } from 'node:crypto'
import { request, type Agent, type IncomingHttpHeaders, type OutgoingHttpHeaders, type Server } from 'node:http'
import type { Test } from 'tap'
import type { TestGateway } from './gateway.js'
import { within, type ConnectionTracker } from './sockets.js'

/** A fresh upstream credential per test process, injected by `apiKeyGatewayYaml`. */
export const UPSTREAM_KEY = `uk-fault-${randomBytes(12).toString('hex')}`

/**
 * One anonymous connection `api` to `upstreamUrl` whose api_key auth sends the stored secret
 * `upstream_key` (start the gateway with `{ secrets: { upstream_key: UPSTREAM_KEY } }`).
 * `server` adds to the server block, e.g. `, upstream_timeout: 1s`.
 */
export function apiKeyGatewayYaml (upstreamUrl: string, server = ''): string {
  return `
server: { allow_private_upstreams: true${server} }
connectors:
  api:
    base_url: ${upstreamUrl}
    auth: { methods: { key: { type: api_key, key: X-Api-Key, value: "{{ get_secret('upstream_key') }}" } } }
connections:
  api: { connector: api, access: { anonymous: true } }
`
}

/**
 * Lets latchkey's pool keep idle sockets to `server`. undici closes a socket right after its
 * response when the server's keep-alive hint is under its 2 s threshold (the helpers' servers
 * say 1 s), so without this every request would open a fresh socket and "the pools closed them"
 * would never be tested.
 */
export function keepSocketsPooled (server: Server): void {
  server.keepAliveTimeout = 30_000
}

export interface CallerResult {
  status: number
  headers: IncomingHttpHeaders
  body: Buffer
  text: string
  /** node's IncomingMessage.complete: the body ended as framed (all of Content-Length, or the last chunk). */
  complete: boolean
  /** What the response failed with after its head, if it did. */
  error: Error | undefined
  ms: number
}

/**
 * One request, by default on a fresh connection (agent: false, so `Connection: close`: a socket
 * the gateway still holds afterwards is a leak, not a pooled one); a keep-alive `agent` instead
 * makes only the gateway's cut end a short body (with `Connection: close`, closing after a short
 * body would look cut too). Resolves when the response ends or is cut; rejects only when no
 * response head arrived.
 */
export function callGateway (origin: string, options: { method?: string, path: string, headers?: OutgoingHttpHeaders, body?: string | Buffer, agent?: Agent }): Promise<CallerResult> {
  const url = new URL(origin)
  const started = performance.now()
  return new Promise((resolve, reject) => {
    const req = request({ host: url.hostname, port: url.port, method: options.method ?? 'GET', path: options.path, headers: options.headers, agent: options.agent ?? false }, (res) => {
      const chunks: Buffer[] = []
      let error: Error | undefined
      let settled = false
      const settle = (): void => {
        if (settled) return
        settled = true
        const body = Buffer.concat(chunks)
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body, text: body.toString('utf8'), complete: res.complete, error, ms: performance.now() - started })
      }
      res.on('data', (c: Buffer) => chunks.push(c))
      res.on('error', (err) => { error = err })
      res.on('end', settle)
      res.on('close', settle)
    })
    req.on('error', reject)
    req.end(options.body)
  })
}

/**
 * The response is latchkey's own error (SPEC 6.5): exactly `status`, a JSON body
 * `{"error":{"code","message","request_id"}}` with `code`, and the request id of the response.
 */
export function assertLatchkeyError (t: Test, res: CallerResult, status: number, code: string): void {
  t.equal(res.status, status, `status ${status}`)
  t.match(res.headers['content-type'], /^application\/json/, 'a JSON body')
  t.ok(res.complete, 'the error body is complete')
  let body: { error?: Record<string, unknown> } | undefined
  try {
    body = JSON.parse(res.text) as { error?: Record<string, unknown> }
  } catch {
    body = undefined
  }
  t.same(Object.keys(body ?? {}), ['error'], `the body is an error object: ${res.text.slice(0, 200)}`)
  t.same(Object.keys(body?.error ?? {}).sort(), ['code', 'message', 'request_id'], 'error has code, message, request_id')
  t.equal(body?.error?.code, code, `code ${code}`)
  t.equal(typeof body?.error?.message, 'string', 'a message')
  t.equal(body?.error?.request_id, res.headers['x-request-id'], 'request_id is the response X-Request-Id')
}

/**
 * Closes the gateway (its server, then its upstream pools, store and cache; bounded, so a
 * request stuck in a pool fails here instead of hanging the file) and then requires every
 * tracked server to hold no socket any more.
 */
export async function assertNoSocketsAfterClose (t: Test, lk: TestGateway, trackers: Record<string, ConnectionTracker>): Promise<void> {
  await within(10_000, 'closing the gateway', lk.close())
  for (const [name, tracker] of Object.entries(trackers)) {
    t.equal(await tracker.drained(3000), 0, `${name}: no socket left open once latchkey is closed (${tracker.accepted} accepted)`)
  }
}

/** Every response text and log line a test saw, for assertNoSecrets. */
export function seen (lk: TestGateway, responses: Iterable<CallerResult>): string[] {
  return [...lk.logs, ...[...responses].flatMap((r) => [r.text, JSON.stringify(r.headers)])]
}
