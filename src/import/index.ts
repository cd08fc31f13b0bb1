/**
 * `latchkey import openapi` (SPEC 12): an OpenAPI 3.0/3.1 or Swagger 2.0 document -> one
 * connector of config. Never on the request path; the gateway does not load this folder.
 */
import path from 'node:path'
import { ID_PATTERN } from '../config/patterns.js'
import type { ConnectorConfig } from '../config/schema.js'
import { readApiDocument, type ApiDocument } from './document.js'
import { connectorYaml } from './emit.js'
import { OpenApiImportError } from './errors.js'
import { oneLine } from './literal.js'
import { idFrom, UniqueNames } from './names.js'
import { entitiesFrom } from './operations.js'
import { readOpenApiFile } from './read.js'
import { authFrom } from './security.js'
import { baseUrlFrom } from './servers.js'

export { OpenApiImportError, isOpenApiImportError } from './errors.js'

export interface ImportOptions {
  /** Connector slug; from `info.title` when absent. */
  slug?: string
}

export interface ImportResult {
  slug: string
  connector: ConnectorConfig
  /** The config document to write. */
  yaml: string
  /** What was skipped or guessed, one line each, for stderr. */
  warnings: string[]
}

const SLUG = new RegExp(ID_PATTERN)

export async function importOpenApi (file: string, options: ImportOptions = {}): Promise<ImportResult> {
  if (options.slug !== undefined && !SLUG.test(options.slug)) {
    throw new OpenApiImportError(`--slug ${JSON.stringify(options.slug)} must match ${ID_PATTERN}`)
  }
  const api = readApiDocument(await readOpenApiFile(file))
  const slug = options.slug ?? idFrom(api.title ?? path.basename(file).replace(/\.[^.]*$/, ''), 'imported')
  const warnings: string[] = []
  const connector = connectorFromDocument(api, slug, (message) => warnings.push(message))
  const source = `${path.basename(file)} (${api.version === '2.0' ? 'Swagger 2.0' : `OpenAPI ${api.version}`})`
  return { slug, connector, yaml: connectorYaml(slug, connector, `Imported by latchkey import openapi from ${source}`), warnings }
}

export function connectorFromDocument (api: ApiDocument, slug: string, warn: (message: string) => void): ConnectorConfig {
  const inputNames = new UniqueNames()
  const base = baseUrlFrom(api.servers, inputNames, warn)
  const templated = base.base_url.includes('{{')
  const { auth, inputs } = authFrom(api.securitySchemes, api.securityOrder, {
    slug,
    ...(templated ? {} : { base: base.base_url }),
    inputNames,
    warn,
  })
  const entities = entitiesFrom(api.operations, warn)
  const description = api.description === undefined ? '' : oneLine(api.description, 500)
  const allInputs = [...base.inputs, ...inputs]
  return {
    ...(api.title === undefined || api.title.trim() === '' ? {} : { name: oneLine(api.title, 200) }),
    ...(description === '' ? {} : { description }),
    base_url: base.base_url,
    ...(base.allowed_hosts === undefined ? {} : { allowed_hosts: base.allowed_hosts }),
    auth,
    ...(allInputs.length === 0 ? {} : { inputs: allInputs }),
    ...(Object.keys(entities).length === 0 ? {} : { capabilities: { entities } }),
  }
}
