/**
 * The connector `inputs` a connection supplies (SPEC 3, 8): which of them a given auth method
 * uses, and the server-side check of typed values. Values are data: checked, never rendered.
 *
 * Patterns are operator-written but meet user-typed values, so they run on RE2 (re2js: linear
 * time, no backtracking) rather than on a RegExp, which an unlucky pattern like `^(a+)+$` turns
 * into a process stall. `latchkey validate` refuses a pattern RE2 cannot run.
 */
import { RE2JS } from 're2js'
import type { ResolvedConnector } from '../config/model.js'
import type { InputConfig } from '../config/schema.js'

/** The longest value any input takes; bounds every check on it. */
export const MAX_INPUT_LENGTH = 4096

const REFERENCE = /connection\.(?:credentials|config)\.([A-Za-z_][A-Za-z0-9_]*)/g

/**
 * The inputs the method `methodName` needs: those its own fields read, plus those read by the
 * connector-wide fields (base URL, headers, query, test) and those nothing reads by name, which
 * may serve any method. An input only another method reads is that method's alone.
 */
export function inputsFor (connector: ResolvedConnector, methodName: string): InputConfig[] {
  const inputs = connector.inputs ?? []
  const readBy = (value: unknown): Set<string> => new Set([...JSON.stringify(value ?? null).matchAll(REFERENCE)].map((m) => m[1]!))
  const shared = readBy([connector.base_url, connector.headers, connector.query, connector.test])
  const own = readBy(connector.auth.methods[methodName])
  const others = readBy(Object.entries(connector.auth.methods).filter(([name]) => name !== methodName).map(([, m]) => m))
  return inputs.filter((input) => own.has(input.name) || shared.has(input.name) || !others.has(input.name))
}

/** Inputs of type `password` are credentials; the others are config (SPEC 8). */
export function isSecretInput (input: InputConfig): boolean {
  return input.type === 'password'
}

export interface InputProblem {
  /** `config.<name>` or `credentials.<name>` */
  field: string
  name: string
  message: string
}

const compiled = new Map<string, RE2JS>()

/**
 * The same check for a browser's `pattern` attribute, or undefined when the browser cannot run
 * it (the server check still applies). Browsers match the whole value, so an end the pattern
 * leaves open is opened explicitly; and they compile it with the `v` flag, under which `-`,
 * `(`, `)`, `{`, `}`, `/` and `|` must be escaped inside a character class (`[a-z0-9-]` is a
 * syntax error there and the browser silently drops the whole pattern).
 */
export function browserPattern (pattern: string): string | undefined {
  const wrapped = `${pattern.startsWith('^') ? '' : '.*'}(?:${escapeForClassSets(pattern)})${pattern.endsWith('$') ? '' : '.*'}`
  try {
    // eslint-disable-next-line no-new
    new RegExp(`^(?:${wrapped})$`, 'v')
    return wrapped
  } catch {
    return undefined
  }
}

/** Escapes what the `v` flag reserves inside `[...]`, leaving ranges (`a-z`) and escapes as written. */
function escapeForClassSets (pattern: string): string {
  let out = ''
  let inClass = false
  let classStart = 0
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!
    if (c === '\\') {
      out += c + (pattern[i + 1] ?? '')
      i++
      continue
    }
    if (!inClass) {
      if (c === '[') {
        inClass = true
        classStart = out.length + 1
        if (pattern[i + 1] === '^') {
          out += '[^'
          i++
          classStart++
          continue
        }
      }
      out += c
      continue
    }
    if (c === ']' && out.length > classStart) {
      inClass = false
      out += c
      continue
    }
    // A `-` between two class characters is a range; anywhere else it is a literal.
    const range = c === '-' && out.length > classStart && pattern[i + 1] !== undefined && pattern[i + 1] !== ']'
    out += (c === '-' && !range) || '(){}/|'.includes(c) ? `\\${c}` : c
  }
  return out
}

/** The pattern as RE2 runs it; throws for syntax RE2 does not have (backreferences, lookaround). */
export function compileInputPattern (pattern: string): RE2JS {
  let re = compiled.get(pattern)
  if (re === undefined) {
    re = RE2JS.compile(pattern)
    compiled.set(pattern, re)
  }
  return re
}

/**
 * Checks the values typed for `inputs` (already split into config and credentials). A pattern
 * is searched for, as RegExp.test does, so its own anchors decide: `^[a-z0-9-]+$` is a whole-value
 * check, `^xox[a-z]-` a prefix check. Messages never repeat a value.
 */
export function checkInputValues (inputs: readonly InputConfig[], values: { config: Readonly<Record<string, unknown>>, credentials: Readonly<Record<string, unknown>> }): InputProblem[] {
  const problems: InputProblem[] = []
  for (const input of inputs) {
    const secret = isSecretInput(input)
    const field = `${secret ? 'credentials' : 'config'}.${input.name}`
    const raw = (secret ? values.credentials : values.config)[input.name]
    const value = raw === undefined || raw === null ? '' : String(raw)
    const label = input.label ?? input.name
    if (value === '') {
      if (input.required === true) problems.push({ field, name: input.name, message: `${label} is required` })
      continue
    }
    if (value.length > MAX_INPUT_LENGTH) {
      problems.push({ field, name: input.name, message: `${label} is longer than ${MAX_INPUT_LENGTH} characters` })
      continue
    }
    if (input.options !== undefined && input.options.length > 0 && !input.options.includes(value)) {
      problems.push({ field, name: input.name, message: `${label} must be one of ${input.options.join(', ')}` })
      continue
    }
    if (input.pattern !== undefined && !compileInputPattern(input.pattern).matcher(value).find()) {
      problems.push({ field, name: input.name, message: input.pattern_error ?? `${label} does not have the expected format` })
    }
  }
  return problems
}
