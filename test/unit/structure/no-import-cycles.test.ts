/**
 * src/ has no import cycles, type-only imports included: every module can be read (and loaded)
 * after the ones it imports. A cycle is printed as the chain of files that closes it.
 */
import t from 'tap'
import { readdirSync, readFileSync } from 'node:fs'
import path from 'node:path'

const SRC = path.resolve('src')
/** `import ... from './x.js'` and `export ... from './x.js'`, relative ones only. */
const RELATIVE_IMPORT = /^(?:import|export)\s[^'"]*?from\s+'(\.[^']+)'/gm

function modules (dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const file = path.join(dir, entry.name)
    return entry.isDirectory() ? modules(file) : file.endsWith('.ts') ? [file] : []
  })
}

function importGraph (): Map<string, string[]> {
  const graph = new Map<string, string[]>()
  for (const file of modules(SRC)) {
    const text = readFileSync(file, 'utf8')
    graph.set(file, [...text.matchAll(RELATIVE_IMPORT)].map((m) => path.resolve(path.dirname(file), m[1]!.replace(/\.js$/, '.ts'))))
  }
  return graph
}

function cycles (graph: Map<string, string[]>): string[][] {
  const found: string[][] = []
  const done = new Set<string>()
  const stack: string[] = []
  const onStack = new Set<string>()
  const visit = (file: string): void => {
    if (onStack.has(file)) {
      found.push([...stack.slice(stack.indexOf(file)), file])
      return
    }
    if (done.has(file)) return
    done.add(file)
    onStack.add(file)
    stack.push(file)
    for (const next of graph.get(file) ?? []) visit(next)
    stack.pop()
    onStack.delete(file)
  }
  for (const file of graph.keys()) visit(file)
  return found
}

t.test('src/ has no import cycles', async (t) => {
  const graph = importGraph()
  t.ok(graph.size > 50, 'the modules were found')
  const found = cycles(graph).map((cycle) => cycle.map((f) => path.relative(SRC, f)).join(' -> '))
  t.same(found, [], 'no module imports itself through others')
})
