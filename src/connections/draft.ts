/**
 * A connection as an API sends it (`PUT /admin/connections/:id`, SPEC 9): the JSON of a YAML
 * connection, credentials as plain values. Checked field by field against the schema and the
 * loaded connectors; every problem is reported at once, naming its field, never its value.
 */
import type { ResolvedConnector } from '../config/model.js'
import { schemas } from '../config/compiled-schemas.js'
import type { AccessConfig, ConnectionConfig } from '../config/schema.js'
import { schemaMessages } from '../config/schema-problems.js'
import { durationMs } from '../config/units.js'
import { compileAllowRule } from '../callers/access.js'
import { checkInputValues, inputsFor } from './inputs.js'

export interface ConnectionDraft {
  connector: string
  auth: string
  owner: string | null
  config: Record<string, string | number | boolean>
  credentials: Record<string, string>
  access: AccessConfig
  rate_limit?: ConnectionConfig['rate_limit']
}

export type DraftResult = { ok: true, draft: ConnectionDraft } | { ok: false, problems: string[] }

export interface DraftContext {
  connectors: ReadonlyMap<string, ResolvedConnector>
  /** Configured api-key caller ids: `access.callers` may name only these (or `*`). */
  apiKeyIds: ReadonlySet<string>
}

export function parseConnectionDraft (body: unknown, context: DraftContext): DraftResult {
  const shape = schemaMessages(schemas.validateConnection, body)
  if (shape.length > 0) return { ok: false, problems: shape }
  const input = body as ConnectionConfig
  const problems: string[] = []
  const connector = context.connectors.get(input.connector)
  if (connector === undefined) return { ok: false, problems: [`connector: unknown connector '${input.connector}'`] }

  const auth = input.auth ?? connector.auth.default
  if (connector.auth.methods[auth] === undefined) {
    problems.push(input.auth === undefined ? 'auth: the connector has no default method; name one' : `auth: unknown auth method '${auth}' of connector '${connector.slug}'`)
  }
  const config = input.config ?? {}
  const credentials = input.credentials ?? {}
  if (problems.length === 0) {
    for (const p of checkInputValues(inputsFor(connector, auth), { config, credentials })) problems.push(`${p.field}: ${p.message}`)
  }
  const access = input.access ?? {}
  for (const id of access.callers ?? []) {
    if (id !== '*' && !context.apiKeyIds.has(id)) problems.push(`access.callers: unknown api key caller '${id}'`)
  }
  ;(access.allow ?? []).forEach((rule, i) => {
    try {
      compileAllowRule(rule)
    } catch {
      problems.push(`access.allow.${i}: expected 'METHOD /path/glob'`)
    }
  })
  if (input.rate_limit !== undefined) {
    try {
      durationMs(input.rate_limit.window)
    } catch {
      problems.push('rate_limit.window: expected a duration such as 60s')
    }
  }
  if (problems.length > 0) return { ok: false, problems }
  return {
    ok: true,
    draft: {
      connector: connector.slug,
      auth,
      owner: input.owner ?? null,
      config: { ...config },
      credentials: { ...credentials },
      access,
      ...(input.rate_limit === undefined ? {} : { rate_limit: input.rate_limit }),
    },
  }
}
