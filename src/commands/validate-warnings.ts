/**
 * `latchkey validate` warnings: a config that loads but is probably not what the operator meant.
 * They go to stderr as `FILE:LINE:COL: warning: message`; `ok` and exit 0 stay, since the
 * gateway would run it as written.
 */
import { readFile } from 'node:fs/promises'
import type { LoadedConfig } from '../config/model.js'
import { parseYamlSource, type ConfigPath } from '../config/yaml-source.js'

/**
 * Methods that act as the application, not as a person: whoever may call the connection uses
 * the application's rights on every endpoint the token reaches.
 */
const MACHINE_TO_MACHINE = new Set(['oauth_client_credentials', 'jwt', 'oauth_jwt_bearer'])

interface Warning { path: ConfigPath, message: string }

/** Longer than any config that holds nothing but comments and blank lines, in practice. */
const EMPTY_ENOUGH = 64 * 1024

export function configWarnings (config: LoadedConfig, raw: unknown): Warning[] {
  const warnings: Warning[] = []
  const empty = raw === null || raw === undefined || (typeof raw === 'object' && Object.keys(raw).length === 0)
  if (empty) {
    warnings.push({ path: [], message: 'the config is empty: latchkey would start with defaults and no connections (see config/latchkey.yaml for a first one)' })
  }
  for (const [id, connection] of config.connections) {
    const connector = config.connectors.get(connection.connector)
    const method = connector?.auth.methods[connection.auth]
    if (connector === undefined || method === undefined || !MACHINE_TO_MACHINE.has(method.type)) continue
    const { anonymous, users } = connection.access
    const openTo = [...(anonymous ? ['anonymous callers'] : []), ...(users !== false ? ['users'] : [])]
    if (openTo.length === 0 || connection.access.allow !== undefined) continue
    const template = connector.response?.body
    if (typeof template === 'string' && template !== '') continue
    warnings.push({
      path: ['connections', id, 'access'],
      message: `connections.${id}: ${openTo.join(' and ')} may call every path with the application's own ${method.type} credentials (method '${connection.auth}'); ` +
        'limit them with access.allow rules or a connector response.body template',
    })
  }
  return warnings
}

/** The warnings of a config that loaded, as `FILE:LINE:COL: warning: message` lines. */
export async function formatConfigWarnings (config: LoadedConfig, env: NodeJS.ProcessEnv): Promise<string[]> {
  const text = await readFile(config.file, 'utf8')
  // Positions need the file parsed again, which is most of a large config's validate time: only
  // when there is something to place. (An empty config is a short file; a long one is not.)
  if (text.length > EMPTY_ENOUGH && configWarnings(config, { nonEmpty: true }).length === 0) return []
  const source = parseYamlSource(config.file, text, env)
  return configWarnings(config, source.value).map(({ path, message }) => {
    const { line, column } = path.length === 0 ? { line: 1, column: 1 } : source.locate(path, 'key')
    return `${config.file}:${line}:${column}: warning: ${message}`
  })
}
