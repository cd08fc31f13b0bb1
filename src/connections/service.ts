/**
 * Connections as the admin API, the CLI and the connect flow see them: the YAML ones (read
 * only) and the stored ones (created, replaced, deleted here), under one id space (SPEC 3, 8.1).
 */
import { GatewayError } from '../errors.js'
import { connectionEventData, NO_EVENTS, type EventSink } from '../events/sink.js'
import type { Runtime } from '../runtime/build.js'
import type { CompiledConnection } from '../runtime/connection.js'
import { parseConnectionDraft, type ConnectionDraft } from './draft.js'
import type { StoredConnection, StoredStatus } from './record.js'
import type { ConnectionRegistry } from './registry.js'
import type { ConnectionRepository } from './repository.js'

export interface ConnectionService {
  /**
   * A YAML connection, else a stored one, compiled for the running config: at once when it is
   * in memory (see ConnectionRegistry).
   */
  lookup (id: string): CompiledConnection | undefined | Promise<CompiledConnection | undefined>
  stored (id: string): Promise<StoredConnection | undefined>
  allStored (): Promise<StoredConnection[]>
  /**
   * Create or replace a stored connection from an API body. 400 invalid_request naming each
   * bad field, 409 connection_conflict for a YAML id.
   */
  putFromApi (id: string, body: unknown): Promise<{ created: boolean, record: StoredConnection }>
  /** Create or replace from a checked draft (the connect flow). */
  save (id: string, draft: ConnectionDraft, status?: StoredStatus): Promise<{ created: boolean, record: StoredConnection }>
  /** 409 connection_conflict for a YAML id; false when there was none. */
  delete (id: string): Promise<boolean>
}

export interface ConnectionServiceDeps {
  runtime: () => Runtime
  repository: ConnectionRepository
  registry: ConnectionRegistry
  now?: () => number
  /** Lifecycle events (SPEC 8.2): created, updated, deleted, recovered. */
  events?: EventSink
}

export function createConnectionService (deps: ConnectionServiceDeps): ConnectionService {
  const now = deps.now ?? Date.now
  const events = deps.events ?? NO_EVENTS
  const refuseYamlId = (id: string, verb: string): void => {
    if (deps.runtime().config.connections.has(id)) {
      throw new GatewayError('connection_conflict', `connection ${id} is defined in the YAML config: ${verb} it there`)
    }
  }

  const save: ConnectionService['save'] = async (id, draft, status = 'connected') => {
    refuseYamlId(id, 'change')
    const at = new Date(now()).toISOString()
    let created = false
    let recovered = false
    const record = await deps.repository.update(id, (current) => {
      created = current === undefined
      recovered = current?.status === 'refresh_failed' && status === 'connected'
      return { v: 1, id, ...draft, status, created_at: current?.created_at ?? at, updated_at: at }
    })
    // This process serves the new record at once, whatever its store can notify.
    deps.registry.forget(id)
    await events.connection(created ? 'connection.created' : 'connection.updated', connectionEventData(record!))
    if (recovered) await events.connection('connection.recovered', connectionEventData(record!))
    return { created, record: record! }
  }

  return {
    lookup (id) {
      const runtime = deps.runtime()
      return runtime.connections.get(id) ?? deps.registry.lookup(id, runtime)
    },
    stored: (id) => deps.repository.get(id),
    allStored: () => deps.repository.all(),
    async putFromApi (id, body) {
      refuseYamlId(id, 'change')
      const runtime = deps.runtime()
      const parsed = parseConnectionDraft(body, { connectors: runtime.config.connectors, apiKeyIds: runtime.apiKeyIds })
      if (!parsed.ok) {
        throw new GatewayError('invalid_request', `invalid connection: ${parsed.problems.join('; ')}`, { details: { problems: parsed.problems } })
      }
      return save(id, parsed.draft)
    },
    save,
    async delete (id) {
      refuseYamlId(id, 'delete')
      // The event names what was deleted: read it first (only when anyone listens).
      const before = deps.events === undefined ? undefined : await deps.repository.get(id)
      const removed = await deps.repository.delete(id)
      deps.registry.forget(id)
      if (removed && before !== undefined) await events.connection('connection.deleted', connectionEventData(before))
      return removed
    },
  }
}
