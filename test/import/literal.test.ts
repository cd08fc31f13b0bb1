/**
 * The two escapes the importer relies on, as properties against the real loader and engine:
 * `envSafe(text)` comes back from the YAML loader's `${NAME}` substitution as `text`, and
 * `templateLiteral(text)` renders to `text`, whatever `$`, `{`, `}`, `%` and `#` it holds.
 */
import t from 'tap'
import fc from 'fast-check'
import { stringify } from 'yaml'
import { parseYamlSource } from '../../src/config/yaml-source.js'
import { envSafe, templateLiteral } from '../../src/import/literal.js'
import { TemplateEngine } from '../../src/templates/engine.js'

const ENV = { A: 'ENV-A-VALUE', B: 'ENV-B-VALUE', HOME: '/root' }
const piece = fc.constantFrom('$', '$$', '{', '}', '{{', '}}', '{%', '%}', '{#', '#}', '${A}', '$${A}', '${A:-x}', '${A:-${B}}', '${B', ':-', 'A', 'x ', "'", '"', '\\', '-')
const text = fc.array(piece, { maxLength: 12 }).map((parts) => parts.join(''))

t.test('envSafe survives the loader substitution', async (t) => {
  fc.assert(fc.property(text, (value) => {
    const source = parseYamlSource('x.yaml', stringify({ v: envSafe(value) }), ENV)
    return source.problems.length === 0 && (source.value as { v: string }).v === value
  }), { numRuns: 2000 })
  t.pass('2000 texts round-trip')
})

t.test('templateLiteral renders to itself', async (t) => {
  const engine = new TemplateEngine({ variables: {} })
  const context = {
    connection: { id: 'c', connector: 'x', owner: null, config: {}, credentials: {} },
    caller: { id: null, kind: 'anonymous' as const },
    request: { method: 'GET', path: '/', query: {} },
  }
  fc.assert(fc.property(text, (value) => engine.compile(templateLiteral(value), 'auth').render(context, new Map()) === value), { numRuns: 2000 })
  t.pass('2000 texts render to themselves')
})
