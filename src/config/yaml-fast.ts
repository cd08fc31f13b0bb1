/**
 * The config's value without source positions, parsed by js-yaml: 10,000 connections (about
 * 1 MB) in about 0.1 s, where `yaml`'s parseDocument takes 1.4 s and its lexer alone 0.3 s.
 * `yaml` stays the reference: this path returns a value only for text where the two agree (the
 * YAML 1.2 core schema exactly as `yaml` resolves it, no forms where they differ), and
 * undefined for everything else, which then goes to `yaml` (yaml-source.ts) as before. A
 * problem (a parse error, a duplicate key, an unset variable) is always undefined here: its
 * position and message come from `yaml`. test/property/yaml-fast-path-agrees-with-yaml.test.ts
 * checks the agreement.
 */
import jsyaml from 'js-yaml'

/**
 * Forms this path leaves to `yaml`, found in one linear pass each (a false positive only costs
 * the slow parse): a directive (`%YAML 1.1` switches `yaml` to 1.1 booleans), a tag (unknown
 * tags are strings in `yaml`, errors in js-yaml), an anchor or alias (js-yaml shares one object
 * where `yaml` copies and counts aliases against resource exhaustion), an explicit `?` key, and
 * a flow sequence as a key (js-yaml joins `[a]: x` and `{ [a] }` to the key `a`, `yaml` writes
 * `[ a ]`; found as `]:`, or `[` after `{` or `,`, so `[[a], [b]]` goes to `yaml` too), an
 * empty block sequence entry (js-yaml 4.3.2 puts the next, less indented `- x` into the inner
 * sequence of `- -\n- x`), a comment right after a quote or bracket (an error in `yaml`), and
 * `---` or `...` with more on the line (a marker to js-yaml, a plain scalar to `yaml`).
 */
const LEFT_TO_YAML = [
  /^(?:---|\.\.\.)\S/m,
  /^%/m,
  /(?:^|[\s,[{])[!&*]/,
  /(?:^|[\s,[{])\?(?:[\s,\]}]|$)/,
  /\][ \t]*:/,
  /[{,][ \t]*\[/,
  /^[ \t]*(?:-[ \t]+)*-[ \t]*(?:#.*)?$/m,
  /["'\]}]#/,
]

/** Keys js-yaml makes of a null key (`yaml`: '') and of a mapping as a key (`yaml`: its YAML). */
const KEYS_LEFT_TO_YAML = new Set(['null', '[object Object]'])

/**
 * One of `yaml`'s core-schema tags (yaml/dist/schema/core): its tests in yaml's order, the first
 * that matches gives the value. js-yaml keeps one type per tag, so a tag's forms share a type.
 */
function coreTag (tag: string, forms: Array<[RegExp, (text: string) => unknown]>): jsyaml.Type {
  const formOf = (text: unknown) => typeof text === 'string' ? forms.find(([test]) => test.test(text)) : undefined
  return new jsyaml.Type(tag, {
    kind: 'scalar',
    resolve: (text: unknown) => formOf(text) !== undefined,
    construct: (text: string) => formOf(text)![1](text),
  })
}

const int = (offset: number, radix: number) => (text: string) => parseInt(text.substring(offset), radix)

/** `yaml`'s core schema, in its order (null, bool, int, float): the first test that matches decides. */
const YAML_CORE = jsyaml.FAILSAFE_SCHEMA.extend({
  implicit: [
    coreTag('tag:yaml.org,2002:null', [[/^(?:~|[Nn]ull|NULL)?$/, () => null]]),
    coreTag('tag:yaml.org,2002:bool', [[/^(?:[Tt]rue|TRUE|[Ff]alse|FALSE)$/, (text) => text[0] === 't' || text[0] === 'T']]),
    coreTag('tag:yaml.org,2002:int', [[/^0o[0-7]+$/, int(2, 8)], [/^[-+]?[0-9]+$/, int(0, 10)], [/^0x[0-9a-fA-F]+$/, int(2, 16)]]),
    coreTag('tag:yaml.org,2002:float', [
      [/^(?:[-+]?\.(?:inf|Inf|INF)|\.nan|\.NaN|\.NAN)$/,
        (text) => text.slice(-3).toLowerCase() === 'nan' ? NaN : text[0] === '-' ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY],
      [/^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)[eE][-+]?[0-9]+$/, parseFloat],
      [/^[-+]?(?:\.[0-9]+|[0-9]+\.[0-9]*)$/, parseFloat],
    ]),
  ],
})

/**
 * The value of `text` with `${NAME}` substituted, or undefined when `yaml` must parse it: a form
 * listed above, anything js-yaml refuses, or a variable that is not set (a problem to place).
 */
export function parseYamlFast (text: string, substitute: (value: string) => string | undefined): unknown {
  if (LEFT_TO_YAML.some((form) => form.test(text))) return undefined
  let value: unknown
  let multiLine = false
  const starts: number[] = []
  try {
    // json: false keeps a duplicate key an error, found again by `yaml` with its position.
    value = jsyaml.load(text, {
      schema: YAML_CORE,
      json: false,
      // A quoted scalar or a flow collection over several lines: `yaml` refuses a continuation
      // line that is not indented enough (`a: "x\nb"`, `a: [1,\n2]`), js-yaml takes it. Left to
      // `yaml`, indented or not.
      listener: (event, state) => {
        if (event === 'open') {
          starts.push(state.position)
          return
        }
        const start = starts.pop()!
        if (multiLine) return
        LEADING_SPACE.lastIndex = start
        LEADING_SPACE.exec(text)
        const from = LEADING_SPACE.lastIndex
        const first = text.charCodeAt(from)
        const flow = state.kind === 'scalar' ? first === 0x22 || first === 0x27 : first === 0x5b || first === 0x7b
        multiLine = flow && text.slice(from, state.position).includes('\n')
      },
    })
  } catch {
    return undefined
  }
  if (multiLine) return undefined
  // `yaml` has null for an empty document, js-yaml undefined.
  return substituteAll(value === undefined ? null : value, substitute)
}

/** White space and comments before a node, skipped from its start (sticky: from lastIndex). */
const LEADING_SPACE = /(?:\s|#[^\n]*)*/y

const LEFT = Symbol('left to yaml')

/** `${NAME}` in every string value (never in keys, as in yaml-source.ts), in place. */
function substituteAll (root: unknown, substitute: (value: string) => string | undefined): unknown {
  const visit = (value: unknown): unknown => {
    if (typeof value === 'string') {
      if (!value.includes('${')) return value
      return substitute(value) ?? LEFT
    }
    if (Array.isArray(value)) {
      for (let i = 0; i < value.length; i++) {
        const next = visit(value[i])
        if (next === LEFT) return LEFT
        value[i] = next
      }
    } else if (value !== null && typeof value === 'object') {
      const object = value as Record<string, unknown>
      for (const key of Object.keys(object)) {
        if (KEYS_LEFT_TO_YAML.has(key)) return LEFT
        const next = visit(object[key])
        if (next === LEFT) return LEFT
        // defineProperty: a key `__proto__` is an own property (as both parsers make it), never the prototype.
        if (next !== object[key]) Object.defineProperty(object, key, { value: next, writable: true, enumerable: true, configurable: true })
      }
    }
    return value
  }
  const value = visit(root)
  return value === LEFT ? undefined : value
}
