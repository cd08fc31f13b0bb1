/**
 * Reads, resolves and validates an OpenAPI 3.0/3.1 or Swagger 2.0 document (JSON or YAML) with
 * @apidevtools/swagger-parser: the official schemas of each version, its spec checks, and
 * `$ref` resolution (circular references stay object cycles; the importer never walks schemas).
 *
 * External `$ref`s are read from files below the document's own folder only, and never over
 * HTTP: importing a document must not make the machine fetch URLs or read files it names.
 */
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import SwaggerParser from '@apidevtools/swagger-parser'
import { OpenApiImportError } from './errors.js'

/** The dereferenced document, as validated. */
export async function readOpenApiFile (file: string): Promise<Record<string, unknown>> {
  const absolute = path.resolve(file)
  const root = path.dirname(absolute)
  try {
    const api = await SwaggerParser.validate(absolute, {
      resolve: {
        http: false,
        file: { canRead: (ref: { url: string }) => isBelow(root, ref.url) },
      },
    })
    return api as unknown as Record<string, unknown>
  } catch (err) {
    throw describeParserError(file, absolute, err)
  }
}

function isBelow (root: string, url: string): boolean {
  let target: string
  try {
    target = url.startsWith('file:') ? fileURLToPath(url) : url
  } catch {
    return false
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(target)) return false
  const relative = path.relative(root, path.resolve(root, target.split('#', 1)[0]!))
  return relative === '' || (!relative.startsWith('..') && !path.isAbsolute(relative))
}

interface ParserFailure {
  message?: string
  source?: string
  parentPath?: string
  targetRef?: string
  details?: { instancePath?: string, message?: string }[]
}

/** The parser's failure as one line naming the file and the place (line:col or JSON pointer). */
function describeParserError (file: string, absolute: string, err: unknown): OpenApiImportError {
  const e = (typeof err === 'object' && err !== null ? err : {}) as ParserFailure
  const message = firstLine(e.message ?? String(err))
  // A failure in another file (an external $ref) names that file.
  const where = e.source !== undefined && path.resolve(e.source) !== absolute ? e.source : file

  if ((e as { ioErrorCode?: string }).ioErrorCode === 'ENOENT') return new OpenApiImportError(`${where}: file not found`)
  const detail = e.details?.[0]
  if (detail !== undefined) {
    const more = e.details!.length > 1 ? ` (and ${e.details!.length - 1} more)` : ''
    return new OpenApiImportError(`${where}: #${detail.instancePath ?? ''}: ${detail.message ?? 'invalid'}${more}`)
  }
  if (e.targetRef !== undefined) {
    return new OpenApiImportError(`${where}: ${e.parentPath ?? '#'}: $ref target ${e.targetRef} does not exist`)
  }
  // YAML and JSON syntax errors end their first line with `(LINE:COL)`.
  const position = /^(?:Error parsing \S+: )?(.*?)\s*\((\d+):(\d+)\)$/.exec(message)
  if (position !== null) return new OpenApiImportError(`${where}:${position[2]}:${position[3]}: ${position[1]}`)
  return new OpenApiImportError(`${where}: ${message.replace(`${absolute}`, file)}`)
}

function firstLine (text: string): string {
  return text.split('\n', 1)[0]!.trim()
}
