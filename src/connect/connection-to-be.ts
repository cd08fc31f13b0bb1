/**
 * The steps the form flow (submit.ts) and the OAuth callback (oauth/callback.ts) share before
 * anything is stored: decide again whether the session's connection is still theirs to write,
 * build the draft, and run the connector test on it.
 */
import type { AccessConfig } from '../config/schema.js'
import type { ConnectionDraft } from '../connections/draft.js'
import type { StoredConnection } from '../connections/record.js'
import { isGatewayError } from '../errors.js'
import { runConnectionTest } from '../proxy/connection-test.js'
import type { ConnectDeps } from './deps.js'
import type { ConnectSession } from './sessions.js'

export type Claim =
  | { ok: true, existing: StoredConnection | undefined }
  | { ok: false, status: 403 | 409, code: 'forbidden' | 'connection_conflict', message: string }

/**
 * The connection may have been claimed since the link was made, by the YAML or by another
 * owner: those ends are final (no retry can succeed).
 */
export async function checkClaim (deps: ConnectDeps, session: ConnectSession): Promise<Claim> {
  if (deps.runtime().config.connections.has(session.connection)) {
    return { ok: false, status: 409, code: 'connection_conflict', message: 'A connection with this id is defined in the gateway configuration.' }
  }
  const existing = await deps.connections.stored(session.connection)
  if (existing !== undefined && existing.owner !== session.owner) {
    return { ok: false, status: 403, code: 'forbidden', message: 'This connection belongs to someone else.' }
  }
  return { ok: true, existing }
}

/**
 * What the session stores (SPEC 8): its owner, `access: {callers: [<api key that made the
 * session>], users: owner}`; a reconnect keeps the access and rate limit it had.
 */
export function sessionDraft (session: ConnectSession, connector: string, method: string,
  values: { config: ConnectionDraft['config'], credentials: ConnectionDraft['credentials'] }, existing: StoredConnection | undefined): ConnectionDraft {
  const access: AccessConfig = existing?.access ?? { callers: session.created_by === null ? [] : [session.created_by], users: 'owner' }
  return {
    connector,
    auth: method,
    owner: session.owner,
    config: values.config,
    credentials: values.credentials,
    access,
    ...(existing?.rate_limit === undefined ? {} : { rate_limit: existing.rate_limit }),
  }
}

export type DraftTest =
  | { passed: true }
  /** `status`: the provider's answer; null when it could not be reached (`code` says why). */
  | { passed: false, status: number | null, code: string }
  /** The test request itself could not be built (a render or safety refusal): the gateway's problem. */
  | { passed: false, notRun: true, code: string }

/** Runs the connector test on the connection-to-be, before anything is stored. */
export async function testDraft (deps: ConnectDeps, id: string, draft: ConnectionDraft): Promise<DraftTest> {
  const at = new Date(deps.now()).toISOString()
  const record: StoredConnection = { v: 1, id, ...draft, status: 'connected', created_at: at, updated_at: at }
  try {
    const result = await runConnectionTest({ runtime: deps.runtime, ...deps.test }, deps.runtime().compileStored(record))
    if (result.ok) return { passed: true }
    return { passed: false, status: result.status, code: result.error?.code ?? 'upstream_unreachable' }
  } catch (err) {
    if (!isGatewayError(err)) throw err
    return { passed: false, notRun: true, code: err.code }
  }
}
