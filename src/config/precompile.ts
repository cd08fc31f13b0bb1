/**
 * Build step (`npm run build`, `npm run build:test`): writes the config's validators as code
 * (Ajv standalone) and its schema as JSON into `generated/` beside this module, so a start or a
 * `latchkey validate` loads them instead of building the schema with TypeBox and compiling it
 * with Ajv (about 0.3 s of each on the 2-core box; measured in compiled-schemas.ts).
 *
 *   node dist/config/precompile.js
 */
import { mkdirSync, writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import standalone from 'ajv/dist/standalone/index.js'
import { GENERATED_DIR, GENERATED_FILES } from './schema-artifacts.js'
import { compileSchemas } from './schema-compile.js'

// A CommonJS module whose function is its default export (`module.exports = standaloneCode`).
const standaloneCode = standalone.default

export function precompileSchemas (dir: URL): void {
  const compiled = compileSchemas({ optimize: true })
  mkdirSync(dir, { recursive: true })
  const write = (name: string, text: string): void => writeFileSync(new URL(name, dir), text)
  write(GENERATED_FILES.configSchema, JSON.stringify(compiled.configSchema))
  write(GENERATED_FILES.config, standaloneCode(compiled.config.ajv, compiled.config.validate))
  write(GENERATED_FILES.connection, standaloneCode(compiled.connection.ajv, compiled.connection.validate))
}

if (process.argv[1] === fileURLToPath(import.meta.url)) precompileSchemas(GENERATED_DIR)
