/**
 * YAML with source positions: parse errors, `${NAME}` substitution and a locator that turns a
 * config path into the line and column of the key or value that stands there.
 */
import { isMap, isScalar, isSeq, LineCounter, parseDocument, visit, type Document, type Node } from 'yaml'
import type { ConfigProblem } from './problems.js'

export type ConfigPath = readonly (string | number)[]

export interface YamlSource {
  readonly value: unknown
  readonly problems: ConfigProblem[]
  locate (path: ConfigPath, at?: 'key' | 'value'): { line: number, column: number }
}

// `$${` stays a literal `${`; `${NAME}` and `${NAME:-default}` are substituted.
const ENV_REFERENCE = /\$(\$)?\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g

export function parseYamlSource (file: string, text: string, env: NodeJS.ProcessEnv): YamlSource {
  const lines = new LineCounter()
  const doc = parseDocument(text, { lineCounter: lines, uniqueKeys: true, prettyErrors: false, merge: false })
  const problems: ConfigProblem[] = []
  const at = (offset: number) => {
    const pos = lines.linePos(offset)
    return { line: pos.line, column: pos.col }
  }
  for (const err of doc.errors) {
    problems.push({ file, ...at(err.pos[0]), message: firstLine(err.message) })
  }
  if (problems.length === 0) substituteEnvironment(doc, env, (offset, message) => problems.push({ file, ...at(offset), message }))

  const value = problems.length === 0 ? doc.toJS({ maxAliasCount: 100 }) : undefined
  return {
    value,
    problems,
    locate (path, which = 'value') {
      return at(offsetOf(doc, path, which))
    },
  }
}

function firstLine (message: string): string {
  return message.split('\n', 1)[0]!.replace(/ at line \d+, column \d+:?$/, '')
}

function substituteEnvironment (doc: Document, env: NodeJS.ProcessEnv, report: (offset: number, message: string) => void): void {
  visit(doc, {
    Scalar (key, node) {
      if (key === 'key' || typeof node.value !== 'string' || !node.value.includes('${')) return
      node.value = node.value.replace(ENV_REFERENCE, (whole, escaped: string | undefined, name: string, fallback: string | undefined) => {
        if (escaped !== undefined) return whole.slice(1)
        const found = env[name]
        if (fallback !== undefined) return found === undefined || found === '' ? fallback : found
        if (found !== undefined) return found
        report(node.range?.[0] ?? 0, `environment variable ${name} is not set (use \${${name}:-default} for a fallback)`)
        return ''
      })
    },
  })
}

/** Offset of the deepest node on `path`; for 'key', the key of the last map entry. */
function offsetOf (doc: Document, path: ConfigPath, which: 'key' | 'value'): number {
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
