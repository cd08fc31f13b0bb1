/**
 * `capabilities.entities` (SPEC 7.3, 12): operations grouped by their first tag (untagged ones
 * by the first path segment), one action each, named from `operationId` in snake_case (else
 * method and path), path parameters as `{{ params.<name> }}`. An operation whose path the data
 * plane would refuse, or that could only be written as a template of its own, is skipped with a
 * warning: the output never holds a path that is not the document's.
 */
import { checkForwardPath } from '../proxy/path-safety.js'
import type { Operation } from './document.js'
import { oneLine } from './literal.js'
import { idFrom, UniqueNames } from './names.js'

export interface ActionSpec {
  method: string
  path: string
  description?: string
}

export type Entities = Record<string, { actions: Record<string, ActionSpec> }>

type Warn = (message: string) => void

/** A parameter name that can sit in `params.<name>`, or in `params['<name>']`. */
const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/
const BRACKETABLE = /^[A-Za-z0-9_.-]+$/
/** Methods the gateway never forwards (TRACE is refused at the edge). */
const REFUSED_METHODS = new Set(['TRACE'])

export function entitiesFrom (operations: readonly Operation[], warn: Warn): Entities {
  const entities: Entities = {}
  const actionNames = new Map<string, UniqueNames>()
  for (const op of operations) {
    const label = `${op.method} ${JSON.stringify(op.path)}`
    if (REFUSED_METHODS.has(op.method)) {
      warn(`operation ${label} skipped: latchkey does not forward ${op.method}`)
      continue
    }
    const path = actionPath(op.path)
    if (typeof path !== 'string' || path === '') {
      warn(`operation ${label} skipped: ${typeof path === 'string' ? 'empty path' : path.reason}`)
      continue
    }
    const entity = entityOf(op)
    let names = actionNames.get(entity)
    if (names === undefined) actionNames.set(entity, names = new UniqueNames())
    const action = names.claim(idFrom(op.operationId ?? `${op.method} ${op.path}`, op.method.toLowerCase()))
    const about = op.summary ?? op.description
    const description = about === undefined ? '' : oneLine(about, 200)
    entities[entity] ??= { actions: {} }
    entities[entity].actions[action] = { method: op.method, path, ...(description === '' ? {} : { description }) }
  }
  return entities
}

/** First tag, else first literal path segment, as an entity id. */
function entityOf (op: Operation): string {
  const tag = op.tags[0]
  if (tag !== undefined) {
    const id = idFrom(tag, '')
    if (id !== '') return id
  }
  const segment = op.path.split('/').find((s) => s !== '' && !s.includes('{'))
  return idFrom(segment ?? '', 'root')
}

/**
 * `/pets/{petId}` -> `/pets/{{ params.petId }}`. The literal text must be a path the data plane
 * accepts as written (checked with the parameters filled in), and must hold no `{` or `}` of its
 * own, so nothing in it can be read as a template.
 */
function actionPath (path: string): string | { reason: string } {
  const pieces = path.split(/\{([^{}]*)\}/)
  const literal = pieces.filter((_p, i) => i % 2 === 0)
  if (literal.some((text) => /[{}]/.test(text))) return { reason: 'unbalanced { or } in the path' }
  const params = pieces.filter((_p, i) => i % 2 === 1)
  const bad = params.find((name) => !BRACKETABLE.test(name))
  if (bad !== undefined) return { reason: `path parameter ${JSON.stringify(bad)} is not a name of letters, digits and . _ -` }
  const sample = pieces.map((p, i) => i % 2 === 0 ? p : 'x').join('')
  const query = sample.indexOf('?')
  if (query !== -1 && !/^[\x21-\x22\x24-\x7e]*$/.test(sample.slice(query + 1))) return { reason: 'the query part has spaces, control characters or #' }
  try {
    checkForwardPath(query === -1 ? sample : sample.slice(0, query))
  } catch (err) {
    return { reason: (err as Error).message }
  }
  return pieces.map((p, i) => i % 2 === 0 ? p : IDENTIFIER.test(p) ? `{{ params.${p} }}` : `{{ params['${p}'] }}`).join('')
}
