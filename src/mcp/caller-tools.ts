/**
 * The tools one caller sees (SPEC 11): one per action of every connection its access policy
 * admits (`conn.access.admits`, as /proxy checks it), YAML ones first, then stored ones. A
 * stored connection that is not `connected` (pending, refresh_failed) is no tool: the agent
 * gets the user a connect link instead (POST /connect/sessions).
 *
 * Listing does not compile stored connections: a record's access and owner decide, and the
 * tools come from its connector's templates (tool-catalog.ts), so a user with thousands of
 * connections costs one pass over the records. A call looks its tool up by exact name among the
 * same connections (see resolveTool), so what is listed and what can be called never differ.
 */
import type { Caller } from '../callers/types.js'
import { compileAccess, type CompiledAccess } from '../callers/access.js'
import type { ConnectionService } from '../connections/service.js'
import { resolveStored, type StoredConnection } from '../connections/record.js'
import type { Runtime } from '../runtime/build.js'
import { isStoreError } from '../secrets/errors.js'
import type { CompiledAction, CompiledConnection } from '../runtime/connection.js'
import { connectorTools, type ConnectorTools, type ToolTemplate } from './tool-catalog.js'
import { MAX_TOOL_NAME, safeName } from './tool-names.js'

export interface CallerToolsDeps {
  runtime: () => Runtime
  connections: Pick<ConnectionService, 'lookup' | 'allStored'>
}

export interface ListedTool {
  readonly name: string
  readonly template: ToolTemplate
}

export interface ResolvedTool {
  readonly conn: CompiledConnection
  readonly template: ToolTemplate
  readonly action: CompiledAction
}

/** Every tool `caller` may call, sorted by name; names two connections would share are left out. */
export async function listCallerTools (caller: Caller, deps: CallerToolsDeps): Promise<ListedTool[]> {
  const runtime = deps.runtime()
  const byName = new Map<string, ListedTool | null>()
  const add = (id: string, tools: ConnectorTools, listed: boolean): void => {
    for (const template of tools.tools) {
      const name = id + template.suffix
      // A name that two connections would share is ambiguous: neither is a tool (resolveTool agrees).
      byName.set(name, byName.has(name) || !listed ? null : { name, template })
    }
  }
  for (const conn of runtime.connections.values()) {
    if (isSafeId(conn.id) && conn.access.admits(caller, conn.connection.owner ?? null)) add(conn.id, connectorTools(conn), true)
  }
  const records = await deps.connections.allStored()
  const templates = new Map<string, ConnectorTools>()
  for (const record of records) {
    // A YAML connection of the same id is the one served (SPEC 3: a config problem).
    if (runtime.connections.has(record.id) || !isSafeId(record.id)) continue
    const connector = runtime.config.connectors.get(record.connector)
    if (connector === undefined || !storedAccess(record, runtime).admits(caller, record.owner)) continue
    let tools = templates.get(record.connector)
    if (tools === undefined) {
      // The first admitted connection of a connector is compiled; its connector's tools serve the rest.
      const conn = await compiled(record.id, deps)
      if (conn === undefined) continue
      templates.set(record.connector, tools = connectorTools(conn))
    }
    add(record.id, tools, record.status === 'connected')
  }
  const listed: ListedTool[] = []
  for (const tool of byName.values()) if (tool !== null) listed.push(tool)
  return listed.sort((a, b) => a.name < b.name ? -1 : a.name > b.name ? 1 : 0)
}

/**
 * The tool `name` for `caller`, or undefined (unknown, ambiguous, or on a connection the caller
 * may not use: one answer for all three). Every split of the name at a `__` is tried as
 * connection id + connector suffix, each an exact Map lookup; exactly one must match.
 */
export async function resolveTool (name: string, caller: Caller, deps: CallerToolsDeps): Promise<ResolvedTool | undefined> {
  if (name.length > MAX_TOOL_NAME) return undefined
  let found: ResolvedTool | undefined
  for (let at = name.indexOf('__'); at > 0; at = name.indexOf('__', at + 1)) {
    const id = name.slice(0, at)
    if (!isSafeId(id)) continue
    const conn = await compiled(id, deps)
    if (conn === undefined || !conn.access.admits(caller, conn.connection.owner ?? null)) continue
    const template = connectorTools(conn).bySuffix.get(name.slice(at))
    if (template === undefined) continue
    if (found !== undefined) return undefined
    found = { conn, template, action: conn.actions.get(template.entity)!.get(template.action)! }
  }
  return found
}

/**
 * The connection, or undefined when there is none or its record no longer compiles against the
 * running config (its connector or auth method is gone): that one is no tool. A store that
 * fails is an error for the whole request, never a shorter list.
 */
async function compiled (id: string, deps: CallerToolsDeps): Promise<CompiledConnection | undefined> {
  try {
    return await deps.connections.lookup(id)
  } catch (err) {
    if (isStoreError(err)) throw err
    return undefined
  }
}

function isSafeId (id: string): boolean {
  return id !== '' && safeName(id) === id
}

/**
 * A stored record's access policy, compiled once per distinct policy (most connections of a
 * connect flow share a handful): listing thousands of records compiles a few.
 */
const accessCache = new WeakMap<Runtime, Map<string, CompiledAccess>>()
const MAX_POLICIES = 1000

function storedAccess (record: StoredConnection, runtime: Runtime): CompiledAccess {
  let policies = accessCache.get(runtime)
  if (policies === undefined) accessCache.set(runtime, policies = new Map())
  const key = JSON.stringify(record.access ?? null)
  let access = policies.get(key)
  if (access === undefined) {
    access = compileAccess(resolveStored(record, runtime.config.connectors.get(record.connector)).access)
    if (policies.size >= MAX_POLICIES) policies.clear()
    policies.set(key, access)
  }
  return access
}
