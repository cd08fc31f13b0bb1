/**
 * Defends: the validators a built latchkey loads (config/precompile.ts writes them at build time)
 * are exactly what compiling the schema gives, and a built latchkey loads them rather than
 * compiling at start. Run compiled (`npm test`), this file's own build is checked; run from the
 * TypeScript sources, the loader compiles at load and both ways are compared on documents.
 */
import { readFileSync } from 'node:fs'
import t from 'tap'
import standalone from 'ajv/dist/standalone/index.js'
import { schemas } from '../../../src/config/compiled-schemas.js'
import { GENERATED_DIR, GENERATED_FILES } from '../../../src/config/schema-artifacts.js'
import { compileSchemas } from '../../../src/config/schema-compile.js'
import { ConfigSchema } from '../../../src/config/schema.js'

const builtRun = import.meta.url.includes('/.test-build/')

t.test('a built latchkey loads the precompiled validators', { skip: !builtRun && 'run from the sources: nothing is built' }, async (t) => {
  t.equal(schemas.source, 'precompiled')
  const fresh = compileSchemas({ optimize: true })
  const file = (name: string): string => readFileSync(new URL(name, GENERATED_DIR), 'utf8')
  t.equal(file(GENERATED_FILES.config), standalone.default(fresh.config.ajv, fresh.config.validate), 'config validator as the schema compiles today')
  t.equal(file(GENERATED_FILES.connection), standalone.default(fresh.connection.ajv, fresh.connection.validate), 'connection validator as the schema compiles today')
  t.same(JSON.parse(file(GENERATED_FILES.configSchema)), JSON.parse(JSON.stringify(ConfigSchema)), 'the schema the template walk reads')
})

t.test('the loaded validators and a fresh compile agree, coercion and errors included', async (t) => {
  const fresh = compileSchemas({ optimize: false })
  const documents: unknown[] = [
    {},
    { server: { port: '8080', host: 1 } },
    { server: { port: 'eighty' }, store: { type: 'sqlite' } },
    { connectors: { a: { base_url: 'https://a.example', auth: { methods: { k: { type: 'api_key', key: 'X', value: 'v' } } } } } },
    { connectors: { a: { auth: { methods: { k: { type: 'oauth9' } } } } } },
    { connections: { c: { connector: 'a', access: { users: 'owner', allow: ['GET /x'] }, rate_limit: { max: 0, window: '1m' } } } },
    { nope: true },
  ]
  for (const doc of documents) {
    const a = structuredClone(doc)
    const b = structuredClone(doc)
    const okLoaded = schemas.validateConfig(a)
    const okFresh = fresh.config.validate(b)
    t.equal(okLoaded, okFresh, JSON.stringify(doc))
    t.same(a, b, 'coerced alike')
    t.same(strip(schemas.validateConfig.errors), strip(fresh.config.validate.errors), 'the same errors')
  }
  const connection = { connector: 'a', credentials: { api_key: 'k' }, access: { callers: ['*'] } }
  t.equal(schemas.validateConnection(connection), fresh.connection.validate(connection))
  t.equal(schemas.validateConnection({ connector: 1 }), false)
})

/** Errors without the schema objects they point into (the two compiles hold separate copies). */
function strip (errors: unknown): unknown {
  return (errors as Array<Record<string, unknown>> | null | undefined)?.map(({ instancePath, schemaPath, keyword, params, message }) => ({ instancePath, schemaPath, keyword, params, message }))
}
