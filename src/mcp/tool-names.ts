/**
 * Tool names (SPEC 11): `<connection>__<entity>_<action>`, every character outside
 * `[A-Za-z0-9_.-]` replaced by `_`. Names are made here and only ever looked up in maps built
 * from the same function: a name a client sends is never split to find its parts.
 */

const OUTSIDE = /[^A-Za-z0-9_.-]/g

/** The longest name a client may send: ids, entities and actions are at most 63 characters. */
export const MAX_TOOL_NAME = 256

export function safeName (text: string): string {
  return text.replace(OUTSIDE, '_')
}

/** The part of a tool name the connector decides: `__<entity>_<action>`. */
export function toolSuffix (entity: string, action: string): string {
  return `__${safeName(entity)}_${safeName(action)}`
}

export function toolName (connectionId: string, entity: string, action: string): string {
  return safeName(connectionId) + toolSuffix(entity, action)
}
