/**
 * The MCP SDK's streamable HTTP handler for latchkey's server (server.ts). Loaded on the first
 * /mcp request (routes.ts imports it dynamically): the SDK and zod are about 0.2 s of CPU at
 * start-up, which every gateway paid, also the many that never serve MCP.
 */
import { createMcpHandler } from '@modelcontextprotocol/server'
import { mcpServerFactory, type McpDeps } from './server.js'

export { callerAuthInfo } from './server.js'

export function createHandler (deps: McpDeps, warn: (reason: string) => void): ReturnType<typeof createMcpHandler> {
  return createMcpHandler(mcpServerFactory(deps), {
    legacy: 'stateless',
    // One JSON answer per request: tool calls send no progress, and nothing stays open.
    responseMode: 'json',
    keepAliveMs: 0,
    // routes.ts already bounded the body by body_limit; this is the SDK's own, never smaller.
    maxRequestBodySize: Number.MAX_SAFE_INTEGER,
    // Reporting only (the answer is already made). The SDK's messages describe protocol
    // problems; arguments and results are never logged.
    onerror: (err) => warn(err.message.slice(0, 200)),
  })
}
