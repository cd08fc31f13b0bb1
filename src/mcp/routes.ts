/**
 * `/mcp` (SPEC 11) as a fastify plugin: the caller is identified exactly as on /proxy and must
 * be an api key or a user (an MCP client is never anonymous: 401), the body is read up to
 * body_limit (413), and the SDK's streamable HTTP handler answers: protocol 2026-07-28 per
 * request, and 2025-era clients (initialize) through its stateless fallback. Also serves the
 * RFC 9728 metadata document user callers are pointed to.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { Readable } from 'node:stream'
import type { ReadableStream as NodeReadableStream } from 'node:stream/web'
import type { Caller } from '../callers/types.js'
import { GatewayError, isGatewayError } from '../errors.js'
import { readBoundedBody } from '../proxy/bounded-body.js'
import { hasBody } from '../pipeline/body-policy.js'
import { mcpChallenge, METADATA_PATH, protectedResourceMetadata } from './metadata.js'
import type { McpDeps } from './server.js'

export type { McpDeps } from './server.js'

/** Request headers the SDK reads; the caller's credentials are never handed to it. */
const SDK_HEADERS = ['content-type', 'accept', 'mcp-protocol-version', 'mcp-session-id', 'last-event-id', 'mcp-method', 'mcp-name']

export async function mcpRoutes (app: FastifyInstance, deps: McpDeps): Promise<void> {
  // The SDK is loaded with the first /mcp request (handler.ts says why).
  let loading: Promise<typeof import('./handler.js')> | undefined
  let handler: ReturnType<typeof import('./handler.js')['createHandler']> | undefined
  const sdk = async () => {
    const module = await (loading ??= import('./handler.js'))
    handler ??= module.createHandler(deps, (reason) => app.log.warn({ reason }, 'mcp request refused'))
    return { handler, callerAuthInfo: module.callerAuthInfo }
  }
  app.addHook('onClose', async () => { await handler?.close() })

  // The body is read below, after the caller is known, bounded by the running body_limit.
  app.removeAllContentTypeParsers()
  app.addContentTypeParser('*', (_request, _payload, done) => done(null, undefined))

  app.get(METADATA_PATH, async (_request, reply) => {
    const document = protectedResourceMetadata(deps.runtime())
    if (document === undefined) throw new GatewayError('not_found', 'no such route')
    return reply.header('cache-control', 'max-age=300').send(document)
  })

  app.route({
    method: ['GET', 'POST', 'DELETE'],
    url: '/mcp',
    handler: async (request, reply) => {
      const caller = await identify(request, deps)
      const runtime = deps.runtime()
      const body = hasBody(request.headers)
        ? await readBoundedBody(request.raw, request.headers['content-length'], runtime.config.server.body_limit_bytes)
        : undefined
      const webRequest = new Request(`http://latchkey.local${request.url}`, {
        method: request.method,
        headers: sdkHeaders(request),
        ...(body === undefined ? {} : { body }),
      })
      const { handler, callerAuthInfo } = await sdk()
      const authInfo = callerAuthInfo({
        caller,
        requestId: request.id,
        ip: request.ip,
        warn: (fields, message) => request.log.warn(fields, message),
      })
      const response = await handler.fetch(webRequest, { authInfo })
      return sendWeb(reply, response)
    },
  })
}

/** The /proxy identification, then: credentials are required here. */
async function identify (request: FastifyRequest, deps: McpDeps): Promise<Caller> {
  const runtime = deps.runtime()
  let caller: Caller
  try {
    caller = await runtime.identify(request.headers)
  } catch (err) {
    if (!isGatewayError(err) || err.code !== 'unauthenticated') throw err
    const headers = mcpChallenge(runtime, request.headers.authorization !== undefined)
    throw new GatewayError('unauthenticated', err.message, headers === undefined ? {} : { headers })
  }
  if (caller.kind !== 'anonymous') return caller
  const headers = mcpChallenge(runtime, false)
  throw new GatewayError('unauthenticated', '/mcp needs a caller: send X-Latchkey-Key with an api key, or Authorization: Bearer with a user token', headers === undefined ? {} : { headers })
}

function sdkHeaders (request: FastifyRequest): Headers {
  const headers = new Headers()
  for (const name of SDK_HEADERS) {
    const value = request.headers[name]
    if (typeof value === 'string') headers.set(name, value)
  }
  return headers
}

async function sendWeb (reply: FastifyReply, response: Response): Promise<FastifyReply> {
  reply.code(response.status)
  response.headers.forEach((value, name) => { reply.header(name, value) })
  if (response.body === null) return reply.send()
  return reply.send(Readable.fromWeb(response.body as unknown as NodeReadableStream))
}
