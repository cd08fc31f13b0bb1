/**
 * The config's validators and schema, as the build wrote them (precompile.ts), or compiled here
 * when latchkey runs from its TypeScript sources with nothing built. Loading the built ones takes
 * about 45 ms (module load and the first validation) where building the schema with TypeBox and
 * compiling it with Ajv took about 310 ms of every start and every `latchkey validate`.
 */
import { existsSync, readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import type { ValidateFunction } from 'ajv'
import { GENERATED_DIR as GENERATED, GENERATED_FILES } from './schema-artifacts.js'

interface Schemas {
  source: 'precompiled' | 'compiled at load'
  configSchema: object
  validateConfig: ValidateFunction
  validateConnection: ValidateFunction
}

async function load (): Promise<Schemas> {
  if (existsSync(new URL(GENERATED_FILES.config, GENERATED))) {
    // Ajv's standalone code is CommonJS (it requires one helper from ajv's runtime).
    const require = createRequire(GENERATED)
    return {
      source: 'precompiled',
      configSchema: JSON.parse(readFileSync(new URL(GENERATED_FILES.configSchema, GENERATED), 'utf8')) as object,
      validateConfig: require(`./${GENERATED_FILES.config}`) as ValidateFunction,
      validateConnection: require(`./${GENERATED_FILES.connection}`) as ValidateFunction,
    }
  }
  const { compileSchemas } = await import('./schema-compile.js')
  const compiled = compileSchemas({ optimize: false })
  return {
    source: 'compiled at load',
    configSchema: compiled.configSchema,
    validateConfig: compiled.config.validate,
    validateConnection: compiled.connection.validate,
  }
}

export const schemas: Schemas = await load()
