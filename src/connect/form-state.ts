/**
 * Which auth method a connect page shows, and the typed values of a submitted form, split into
 * config and credentials (SPEC 8: `password` inputs are credentials). Form fields are named
 * `v:<input name>` so no input can collide with the form's own `auth` field.
 */
import type { ResolvedConnector } from '../config/model.js'
import type { InputConfig } from '../config/schema.js'
import { isSecretInput } from '../connections/inputs.js'
import type { ConnectSession } from './sessions.js'
import type { MethodChoice } from './views.js'

export interface MethodSelection {
  choices: MethodChoice[]
  /** null: the connector has no method. */
  method: string | null
}

/** The session's pinned method, else `requested` when usable, else the default, else the first usable one. */
export function selectMethod (connector: ResolvedConnector, session: ConnectSession, requested: string | undefined): MethodSelection {
  if (session.auth !== null) return { choices: [], method: session.auth }
  const choices = Object.entries(connector.auth.methods).map(([name, m]) => ({ name, type: m.type, available: true }))
  const usable = (name: string | undefined) => choices.find((c) => c.name === name && c.available)?.name
  const method = usable(requested) ?? usable(connector.auth.default) ?? choices.find((c) => c.available)?.name ?? null
  return { choices: choices.length > 1 ? choices : [], method }
}

export interface TypedValues {
  config: Record<string, string>
  credentials: Record<string, string>
  /** What the form shows again: every value but the passwords. */
  shown: Record<string, string>
}

/** The values of `inputs` in a submitted form; empty ones are left out. */
export function typedValues (inputs: readonly InputConfig[], form: URLSearchParams): TypedValues {
  const values: TypedValues = { config: {}, credentials: {}, shown: {} }
  for (const input of inputs) {
    const value = form.get(`v:${input.name}`) ?? ''
    if (isSecretInput(input)) {
      if (value !== '') values.credentials[input.name] = value
      continue
    }
    values.shown[input.name] = value
    if (value !== '') values.config[input.name] = value
  }
  return values
}
