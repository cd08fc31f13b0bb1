/** Load a config text the way the gateway does, for validation tests. */
import { loadConfigText } from '../../src/config/load.js'
import { ConfigError, type ConfigProblem } from '../../src/config/problems.js'
import type { LoadedConfig } from '../../src/config/model.js'
import { TemplateEngine } from '../../src/templates/engine.js'

export function load (yaml: string, env: NodeJS.ProcessEnv = {}): LoadedConfig {
  return loadConfigText('test.yaml', yaml, { env, cwd: '/srv', compilerFor: (variables) => new TemplateEngine({ variables }) })
}

/** The problems a config text has, as `LINE:COL: message` strings. */
export function problemsOf (yaml: string, env: NodeJS.ProcessEnv = {}): string[] {
  try {
    load(yaml, env)
    return []
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err
    return err.problems.map((p: ConfigProblem) => `${p.line}:${p.column}: ${p.message}`)
  }
}
