/**
 * Shared by the import tests: write an OpenAPI document (an object, or text) to a fresh folder,
 * import it in-process, and load the output the way `latchkey validate` does.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { importOpenApi, type ImportResult } from '../../src/import/index.js'
import type { ResolvedConnector } from '../../src/config/model.js'
import type { TeardownHost } from '../helpers/redis.js'
import { load } from '../helpers/config.js'

export const EXAMPLES = path.resolve('node_modules/@readme/oas-examples')

export async function tempDir (t: TeardownHost): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'latchkey-import-'))
  t.teardown(() => rm(dir, { recursive: true, force: true }))
  return dir
}

/** Writes `doc` (JSON for objects) as `name` in a fresh folder; returns its path. */
export async function writeDocument (t: TeardownHost, doc: object | string, name = 'openapi.json'): Promise<string> {
  const file = path.join(await tempDir(t), name)
  await writeFile(file, typeof doc === 'string' ? doc : JSON.stringify(doc))
  return file
}

export interface Imported extends ImportResult {
  /** The output loaded as a whole config file: what the gateway would run. */
  loaded: ResolvedConnector
}

/** Imports and loads; a load problem fails the test with the loader's message. */
export async function importAndLoad (file: string, slug = 'api', env: NodeJS.ProcessEnv = {}): Promise<Imported> {
  const result = await importOpenApi(file, { slug })
  const loaded = load(result.yaml, env).connectors.get(slug)
  if (loaded === undefined) throw new Error(`connector ${slug} missing from the output`)
  return { ...result, loaded }
}

/** A minimal valid OpenAPI 3.0 document with the given extra top-level fields and paths. */
export function openapi30 (extra: Record<string, unknown> = {}, paths: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    openapi: '3.0.3',
    info: { title: 'Test API', version: '1.0.0' },
    servers: [{ url: 'https://api.example.com/v1' }],
    paths,
    ...extra,
  }
}

/** One operation object answering 200. */
export function op (fields: Record<string, unknown> = {}): Record<string, unknown> {
  return { responses: { 200: { description: 'ok' } }, ...fields }
}
