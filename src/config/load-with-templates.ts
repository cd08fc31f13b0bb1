/**
 * A config file loaded with the template engine built from its own `variables`: what
 * `latchkey validate` checks and what the gateway runs. Kept apart from gateway.ts so the CLI's
 * config commands do not load the HTTP stack.
 */
import { TemplateEngine } from '../templates/engine.js'
import { loadConfigFile } from './load.js'
import type { LoadedConfig } from './model.js'

export async function loadGatewayConfig (configFile: string, env: NodeJS.ProcessEnv, cwd: string, clock?: () => number): Promise<{ config: LoadedConfig, engine: TemplateEngine }> {
  let engine: TemplateEngine | undefined
  const config = await loadConfigFile(configFile, {
    env,
    cwd,
    compilerFor: (variables) => (engine = new TemplateEngine({ variables, ...(clock === undefined ? {} : { clock }) })),
  })
  return { config, engine: engine! }
}
