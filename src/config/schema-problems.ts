/** Ajv validation of the schema, with errors turned into positioned, readable problems. */
import type { ErrorObject, ValidateFunction } from 'ajv'
import { schemas } from './compiled-schemas.js'
import { dotted, type ConfigProblem } from './problems.js'
import type { ConfigPath, YamlSource } from './yaml-source.js'

export function checkSchema (file: string, value: unknown, source: YamlSource): ConfigProblem[] {
  const validate = schemas.validateConfig
  if (validate(value)) return []
  const problems: ConfigProblem[] = []
  const seen = new Set<string>()
  for (const err of relevantErrors(validate.errors ?? [])) {
    const { path, at, message, about } = describe(err)
    const where = dotted(about ?? path)
    const text = where === '' ? message : `${where}: ${message}`
    if (seen.has(text)) continue
    seen.add(text)
    problems.push({ file, ...source.locate(path, at), message: text })
  }
  return problems.sort((a, b) => a.line - b.line || a.column - b.column)
}

/**
 * The same readable messages for a JSON value from an API (no source positions):
 * `"<dotted path>: <message>"`, one per problem. `validate` is one of compiled-schemas.ts's
 * API validators. Messages name fields and expectations, never the values sent.
 */
export function schemaMessages (validate: ValidateFunction, value: unknown): string[] {
  if (validate(value)) return []
  const messages = new Set<string>()
  for (const err of relevantErrors(validate.errors ?? [])) {
    const { path, message, about } = describe(err)
    const where = dotted(about ?? path)
    messages.add(where === '' ? message : `${where}: ${message}`)
  }
  return [...messages]
}

/**
 * A failed union reports every branch; keep only the union's own error (its `description`
 * says what was expected) and drop the branch errors beneath it.
 */
function relevantErrors (errors: ErrorObject[]): ErrorObject[] {
  const unionFailures = errors.filter((e) => e.keyword === 'anyOf').map((e) => e.schemaPath)
  return errors.filter((e) => {
    if (e.keyword === 'propertyNames' || e.keyword === 'if') return false
    return !unionFailures.some((u) => e.schemaPath !== u && e.schemaPath.startsWith(u.replace(/\/anyOf$/, '/anyOf/')))
  })
}

function pathOf (pointer: string): (string | number)[] {
  if (pointer === '') return []
  return pointer.slice(1).split('/').map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((s) => /^\d+$/.test(s) ? Number(s) : s)
}

interface Described {
  /** where the problem is shown */
  path: ConfigPath
  at: 'key' | 'value'
  message: string
  /** the path named in the message, when not `path` (a bad key is about its parent map) */
  about?: ConfigPath
}

function describe (err: ErrorObject): Described {
  const path = pathOf(err.instancePath)
  const schema = err.parentSchema as { description?: string } | undefined
  switch (err.keyword) {
    case 'additionalProperties': {
      const key = String((err.params as { additionalProperty: string }).additionalProperty)
      return { path: [...path, key], at: 'key', message: `unknown key '${key}'`, about: path }
    }
    case 'required': {
      const key = String((err.params as { missingProperty: string }).missingProperty)
      return { path, at: 'value', message: `missing required key '${key}'` }
    }
    case 'pattern': {
      // Ajv puts the offending key of a `propertyNames` failure on the error itself.
      const name = (err as { propertyName?: string }).propertyName
      if (name !== undefined) {
        return { path: [...path, name], at: 'key', message: `invalid ${schema?.description ?? 'name'}: '${name}'`, about: path }
      }
      return { path, at: 'value', message: schema?.description === undefined || schema.description.startsWith('a string')
        ? `must match ${(err.params as { pattern: string }).pattern}`
        : `expected ${schema.description}` }
    }
    case 'anyOf':
    case 'oneOf':
      return { path, at: 'value', message: `expected ${schema?.description ?? 'a different value'}` }
    case 'discriminator': {
      const params = err.params as { error: string, tag: string, tagValue?: unknown }
      if (params.error === 'mapping') {
        return { path: [...path, params.tag], at: 'value', message: `unknown ${params.tag} ${JSON.stringify(params.tagValue)}` }
      }
      return { path, at: 'value', message: `'${params.tag}' must be a string` }
    }
    case 'const':
    case 'enum':
      return { path, at: 'value', message: `expected ${schema?.description ?? JSON.stringify((err.params as { allowedValue?: unknown }).allowedValue)}` }
    case 'type':
      return { path, at: 'value', message: `expected ${schema?.description ?? article((err.params as { type: string }).type)}` }
    default:
      return { path, at: 'value', message: err.message ?? 'invalid value' }
  }
}

function article (type: string): string {
  return /^[aeiou]/.test(type) ? `an ${type}` : `a ${type}`
}
