/**
 * YAML with source positions: parse errors, `${NAME}` substitution and a locator that turns a
 * config path into the line and column of the key or value that stands there. A config that
 * loads needs no position, so it is parsed by js-yaml (yaml-fast.ts) where that gives the same
 * value; `yaml` parses it (once) when a position is asked for, and always where js-yaml could
 * differ or finds a problem.
 */
import type { Document, Node } from 'yaml'
import { yamlLib } from '../lazy-libs.js'
import type { ConfigProblem } from './problems.js'
import { parseYamlFast } from './yaml-fast.js'

export type ConfigPath = readonly (string | number)[]

export interface YamlSource {
  readonly value: unknown
  readonly problems: ConfigProblem[]
  locate (path: ConfigPath, at?: 'key' | 'value'): { line: number, column: number }
  /** The same text as `yaml` parses it, positions and all: this source, or parsed now (once). */
  positioned (): YamlSource
}

// `$${` stays a literal `${`; `${NAME}` and `${NAME:-default}` are substituted.
const ENV_REFERENCE = /\$(\$)?\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g

/** `positions: true` parses with `yaml` right away (what the js-yaml path falls back to). */
export function parseYamlSource (file: string, text: string, env: NodeJS.ProcessEnv, options: { positions?: boolean } = {}): YamlSource {
  if (options.positions !== true) {
    const value = parseYamlFast(text, (scalar) => {
      let unset = false
      const out = substituteReferences(scalar, env, () => { unset = true })
      return unset ? undefined : out
    })
    if (value !== undefined) {
      let exact: YamlSource | undefined
      const positioned = (): YamlSource => (exact ??= parseWithPositions(file, text, env))
      return { value, problems: [], locate: (path, at) => positioned().locate(path, at), positioned }
    }
  }
  return parseWithPositions(file, text, env)
}

function parseWithPositions (file: string, text: string, env: NodeJS.ProcessEnv): YamlSource {
  const { LineCounter, parseDocument } = yamlLib()
  const lines = new LineCounter()
  // yaml's own duplicate-key check compares each key with every earlier key of its map: 10,000
  // connections took 4.7 s of a 10 s load there. duplicateKeys() does the same check in one pass.
  const doc = parseDocument(text, { lineCounter: lines, uniqueKeys: false, prettyErrors: false, merge: false })
  const problems: ConfigProblem[] = []
  const at = (offset: number) => {
    const pos = lines.linePos(offset)
    return { line: pos.line, column: pos.col }
  }
  const errors = [...doc.errors.map((err) => ({ offset: err.pos[0], message: firstLine(err.message) })), ...duplicateKeys(doc)]
  for (const err of errors.sort((a, b) => a.offset - b.offset)) {
    problems.push({ file, ...at(err.offset), message: err.message })
  }
  if (problems.length === 0) substituteEnvironment(doc, env, (offset, message) => problems.push({ file, ...at(offset), message }))

  const value = problems.length === 0 ? doc.toJS({ maxAliasCount: 100 }) : undefined
  const source: YamlSource = {
    value,
    problems,
    locate (path, which = 'value') {
      return at(offsetOf(doc, path, which))
    },
    positioned: () => source,
  }
  return source
}

/** `${NAME}` references of one scalar replaced; `unset` hears of each variable that is not set. */
function substituteReferences (value: string, env: NodeJS.ProcessEnv, unset: (name: string) => void): string {
  return value.replace(ENV_REFERENCE, (whole, escaped: string | undefined, name: string, fallback: string | undefined) => {
    if (escaped !== undefined) return whole.slice(1)
    const found = env[name]
    if (fallback !== undefined) return found === undefined || found === '' ? fallback : found
    if (found !== undefined) return found
    unset(name)
    return ''
  })
}

/**
 * A key written twice in one mapping, at the second one, with yaml's own message. Keys are equal
 * as yaml's `uniqueKeys: true` has them: two scalars with the same value (so `1` and `"1"` differ).
 */
function duplicateKeys (doc: Document): Array<{ offset: number, message: string }> {
  const { isMap, isScalar } = yamlLib()
  const found: Array<{ offset: number, message: string }> = []
  eachNode(doc.contents, (map) => {
    if (!isMap(map)) return
    const seen = new Set<unknown>()
    for (const pair of map.items) {
      if (!isScalar(pair.key)) continue
      if (seen.has(pair.key.value)) found.push({ offset: pair.key.range?.[0] ?? 0, message: 'Map keys must be unique' })
      else seen.add(pair.key.value)
    }
  })
  return found
}

/**
 * Every node below `node`, depth first, and whether it is a mapping's key. What yaml's visit()
 * does for these two passes, without its generic machinery: visit() took 1.3 s of a
 * 10,000-connection load.
 */
function eachNode (root: unknown, each: (node: Node, asKey: boolean) => void): void {
  // Looked up once per walk, not at every node of a 10,000-connection document.
  const { isAlias, isMap, isPair, isScalar, isSeq } = yamlLib()
  const walk = (node: unknown, asKey: boolean): void => {
    if (isMap(node) || isSeq(node)) {
      each(node, asKey)
      for (const item of node.items as unknown[]) {
        if (isPair(item)) {
          walk(item.key, true)
          walk(item.value, false)
        } else {
          walk(item, false)
        }
      }
    } else if (isScalar(node) || isAlias(node)) {
      each(node, asKey)
    }
  }
  walk(root, false)
}

function firstLine (message: string): string {
  return message.split('\n', 1)[0]!.replace(/ at line \d+, column \d+:?$/, '')
}

function substituteEnvironment (doc: Document, env: NodeJS.ProcessEnv, report: (offset: number, message: string) => void): void {
  const { isScalar } = yamlLib()
  eachNode(doc.contents, (node, asKey) => {
    if (asKey || !isScalar(node) || typeof node.value !== 'string' || !node.value.includes('${')) return
    node.value = substituteReferences(node.value, env, (name) => {
      report(node.range?.[0] ?? 0, `environment variable ${name} is not set (use \${${name}:-default} for a fallback)`)
    })
  })
}

/** Offset of the deepest node on `path`; for 'key', the key of the last map entry. */
function offsetOf (doc: Document, path: ConfigPath, which: 'key' | 'value'): number {
  const { isMap, isScalar, isSeq } = yamlLib()
  let node: Node | null | undefined = doc.contents as Node | null
  let best = node?.range?.[0] ?? 0
  for (let i = 0; i < path.length; i++) {
    const seg = path[i]!
    const last = i === path.length - 1
    if (isMap(node)) {
      const pair = node.items.find((p) => (isScalar(p.key) ? p.key.value : p.key) === seg)
      if (pair === undefined) return best
      const keyNode = pair.key as Node | null
      if (last && which === 'key' && keyNode?.range) return keyNode.range[0]
      node = pair.value as Node | null
      best = node?.range?.[0] ?? keyNode?.range?.[0] ?? best
    } else if (isSeq(node) && typeof seg === 'number') {
      node = node.items[seg] as Node | undefined
      if (node?.range) best = node.range[0]
      else return best
    } else {
      return best
    }
  }
  return best
}
