/**
 * Compiles the config's JSON Schemas with Ajv: the config file's (coercion on, as YAML scalars
 * are typed loosely) and a connection's as an API sends it (coercion off: JSON has its types).
 * Run at build time (precompile.ts writes the validators as code) and, when latchkey runs from
 * its TypeScript sources with nothing built, at load (compiled-schemas.ts). One place for the
 * options, so both ways validate alike.
 */
import { Ajv, type Options, type ValidateFunction } from 'ajv'
import { ConfigSchema, ConnectionSchema } from './schema.js'

// `optimize: false` at load: Ajv's pass over the generated code (dead branches, unused names)
// changes its shape, never what it accepts, and took half of compiling the config schema. At
// build time it costs nothing at start, so the precompiled code is optimised.
const common = (optimize: boolean): Options => ({ allErrors: true, verbose: true, strict: false, code: { optimize, source: true } })

export interface CompiledSchemas {
  /** The config schema as JSON (templates.ts walks it to find template fields). */
  configSchema: object
  config: { ajv: Ajv, validate: ValidateFunction }
  connection: { ajv: Ajv, validate: ValidateFunction }
}

export function compileSchemas ({ optimize }: { optimize: boolean }): CompiledSchemas {
  const configAjv = new Ajv({ ...common(optimize), discriminator: true, coerceTypes: true })
  const connectionAjv = new Ajv(common(optimize))
  return {
    // TypeBox marks its schemas with symbol keys; JSON has none, so both ways walk the same tree.
    configSchema: JSON.parse(JSON.stringify(ConfigSchema)) as object,
    config: { ajv: configAjv, validate: configAjv.compile(ConfigSchema) },
    connection: { ajv: connectionAjv, validate: connectionAjv.compile(ConnectionSchema) },
  }
}
