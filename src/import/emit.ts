/**
 * The output document: `connectors: { <slug>: {...} }` and nothing else, as YAML that
 * `latchkey validate` accepts as a whole config file. Every string value goes through
 * `envSafe`, so no text of the document is read as an environment reference on load.
 */
import { yamlLib } from '../lazy-libs.js'
import type { ConnectorConfig } from '../config/schema.js'
import { envSafe } from './literal.js'

export function connectorYaml (slug: string, connector: ConnectorConfig, comment: string): string {
  const { Document } = yamlLib()
  const doc = new Document({ connectors: { [slug]: envSafeDeep(connector) } }, { aliasDuplicateObjects: false })
  doc.commentBefore = ` ${comment.replace(/[^\x20-\x7e]/g, '?')}`
  return doc.toString({ lineWidth: 0 })
}

function envSafeDeep<T> (value: T): T {
  if (typeof value === 'string') return envSafe(value) as T
  if (Array.isArray(value)) return value.map(envSafeDeep) as T
  if (value !== null && typeof value === 'object') {
    // Keys are names the importer made ([a-z0-9_]): the loader never substitutes in keys anyway.
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, envSafeDeep(v)])) as T
  }
  return value
}
