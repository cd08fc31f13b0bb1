/**
 * The MCP server behind /mcp: one low-level SDK `Server` per HTTP request (the SDK's stateless
 * serving), for the caller routes.ts identified. Low-level rather than `McpServer`: the tools
 * differ per caller and come from a catalog, not from registrations.
 */
import { ProtocolError, ProtocolErrorCode, Server, type AuthInfo, type McpServerFactory, type Tool } from '@modelcontextprotocol/server'
import type { PipelineDeps } from '../pipeline/execute.js'
import { packageVersion } from '../commands/version.js'
import { callTool, type ToolCallContext } from './call.js'
import { listCallerTools, resolveTool, type CallerToolsDeps, type ListedTool } from './caller-tools.js'

export type McpDeps = PipelineDeps & CallerToolsDeps

/** Tools per tools/list page; a client follows `nextCursor` for the rest. */
export const TOOLS_PAGE = 500

const VERSION = packageVersion()

/**
 * Who a request is for, as routes.ts hands it to the SDK: `authInfo` is the SDK's pass-through
 * for a caller the server verified itself. It carries no credential (`token` stays empty); the
 * identified caller rides in `extra`.
 */
export function callerAuthInfo (context: ToolCallContext): AuthInfo {
  return { token: '', clientId: context.caller.id ?? '', scopes: [], extra: { [CONTEXT]: context } }
}

const CONTEXT = 'latchkey.caller'

export function mcpServerFactory (deps: McpDeps): McpServerFactory {
  return (ctx) => {
    const context = ctx.authInfo?.extra?.[CONTEXT] as ToolCallContext | undefined
    // routes.ts identifies every request before it reaches the SDK: fail closed if one did not.
    if (context === undefined) throw new Error('an /mcp request reached the SDK without an identified caller')
    const server = new Server({ name: 'latchkey', version: VERSION }, { capabilities: { tools: {} } })
    server.setRequestHandler('tools/list', async (request) => listPage(await listCallerTools(context.caller, deps), request.params?.cursor))
    server.setRequestHandler('tools/call', async (request) => {
      const tool = await resolveTool(request.params.name, context.caller, deps)
      // Unknown, ambiguous and not-for-this-caller are one answer: nothing tells them apart.
      if (tool === undefined) throw new ProtocolError(ProtocolErrorCode.InvalidParams, `Unknown tool: ${printableName(request.params.name)}`)
      const result = await callTool(tool, request.params.arguments, context, deps)
      return server.projectCallToolResult(result as Parameters<Server['projectCallToolResult']>[0], undefined)
    })
    return server
  }
}

/** Pages by name: the cursor is the last name sent, so a listing that changes between pages skips nothing it kept. */
function listPage (tools: readonly ListedTool[], cursor: string | undefined): { tools: Tool[], nextCursor?: string } {
  let start = 0
  if (cursor !== undefined) {
    const after = decodeCursor(cursor)
    start = tools.findIndex((t) => t.name > after)
    if (start === -1) start = tools.length
  }
  const page = tools.slice(start, start + TOOLS_PAGE)
  return {
    tools: page.map(({ name, template }) => ({
      name,
      description: template.description,
      // Built by tool-catalog.ts as a JSON Schema object.
      inputSchema: template.inputSchema as Tool['inputSchema'],
      annotations: { readOnlyHint: template.readOnly },
    })),
    ...(start + TOOLS_PAGE < tools.length ? { nextCursor: Buffer.from(page[page.length - 1]!.name, 'utf8').toString('base64url') } : {}),
  }
}

function decodeCursor (cursor: string): string {
  if (!/^[A-Za-z0-9_-]{1,400}$/.test(cursor)) throw new ProtocolError(ProtocolErrorCode.InvalidParams, 'invalid cursor')
  return Buffer.from(cursor, 'base64url').toString('utf8')
}

/** A name echoed in an error: only tool-name characters, bounded. */
function printableName (name: string): string {
  return name.slice(0, 80).replace(/[^A-Za-z0-9_.-]/g, '?')
}

