/**
 * Defends: a config read on the js-yaml path (src/config/yaml-fast.ts) has exactly the value
 * `yaml` gives it, the parser whose positions `latchkey validate` prints. Whenever the fast path
 * returns a value, `yaml` finds no problem in the same text and the same value, `${NAME}`
 * substituted alike; every form where the two could differ, and every problem, goes to `yaml`.
 * Checked on the YAML 1.2 core forms one by one, then on generated documents (scalars of every
 * style, keys, nesting, flow and block) and on the same documents with one character changed.
 */
import { deepStrictEqual } from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import fc from 'fast-check'
import t from 'tap'
import { parseYamlFast } from '../../src/config/yaml-fast.js'
import { parseYamlSource } from '../../src/config/yaml-source.js'
import { repoPath } from '../helpers/repo.js'

const ENV: NodeJS.ProcessEnv = { SET: 'from-env', EMPTY: '', NUMBER: '42' }
const REFERENCE = /\$(\$)?\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g

function fast (text: string): unknown {
  return parseYamlFast(text, (value) => {
    let unset = false
    const out = value.replace(REFERENCE, (whole, escaped: string | undefined, name: string, fallback: string | undefined) => {
      if (escaped !== undefined) return whole.slice(1)
      const found = ENV[name]
      if (fallback !== undefined) return found === undefined || found === '' ? fallback : found
      if (found === undefined) unset = true
      return found ?? ''
    })
    return unset ? undefined : out
  })
}

/** 'fast' when js-yaml's value was taken (and equals yaml's), 'yaml' when it was left to yaml. */
function agree (text: string): 'fast' | 'yaml' {
  const mine = fast(text)
  if (mine === undefined) return 'yaml'
  const reference = parseYamlSource('x.yaml', text, ENV, { positions: true })
  deepStrictEqual(reference.problems, [], `yaml finds problems in a text the fast path took:\n${text}`)
  deepStrictEqual(mine, reference.value, `the parsers differ on:\n${text}`)
  return 'fast'
}

/** Forms the config schema can meet, each taken by the fast path with yaml's value. */
const FAST_FORMS = [
  '1_000', '0o17', '0O17', '0x1f', '0x1F', '-0x1f', '+0x1f', '0b101', '017', '007', '-0', '+12', '1e3', '1E-3', '-1.5e+3', '1.', '.5', '-.5', '+.5',
  '1.0', '1.50', '.inf', '-.Inf', '+.INF', '.nan', '.NaN', '.NAN', 'inf', 'nan', '~', 'null', 'Null', 'NULL', 'nULL', '',
  'true', 'True', 'TRUE', 'tRUE', 'false', 'yes', 'no', 'on', 'off', 'y', 'n', 'Yes', 'ON',
  '2001-12-14', '2001-12-14t21:59:43.10-05:00', '2001-12-14 21:59:43.10 -5', '12:30:00', '1:20', '190:20:30', '0.1.2',
  '"1"', "'true'", '"~"', '"\\x41\\u263A\\t\\N\\_\\/"', "'it''s'", '|\n  line\n  line2\n', '>-\n  folded\n  text\n\n  para\n',
  '|+\n  keep\n\n', '|2\n   indented\n', 'plain # comment', 'a#b', 'http://x.example:80/p?q=1&r=2', '"{{ user }}:{{ pass }}"', "'GET /v1/**'",
  '${SET}', '"${SET}/x"', '$${SET}', '${MISSING:-fallback}', '${EMPTY:-fallback}', '${NUMBER}', '"$${SET} and ${SET}"', 'multi\n  line\n  plain',
  '[a, b, {c: d}]', '{a: 1, b: [2, 3], }', '[]', '{}', '{ "q": "x" }', '"\\ud83d\\ude00"', '"é€😀"',
]

/** Forms left to yaml: a problem to place, or a form where js-yaml could differ. */
const YAML_FORMS = [
  '&a x', '*a', '!!str 1', '!!int "3"', '!custom x', '! x', '{a: 1}: b',
  '${UNSET}', '"x ${UNSET} y"', '"a\\\n  b"', "'a\n  b'", '[a,\n  b]', '{ a: 1,\n  b: 2 }',
]

t.test('every core scalar form is read as yaml reads it', async (t) => {
  for (const form of FAST_FORMS) {
    for (const text of [`v: ${form}\n`, `- ${form}\n`, `m:\n  k: ${form}\n`]) {
      if (form.includes('\n') && !text.startsWith('v')) continue
      if (form === '' && text.startsWith('-')) continue // an empty entry: left to yaml
      t.equal(agree(text), 'fast', JSON.stringify(text))
    }
    // In a flow mapping too, whichever path takes it.
    if (!form.includes('\n') && !/^[|>]/.test(form)) agree(`{ v: ${form} }\n`)
  }
  for (const form of YAML_FORMS) t.equal(agree(`v: ${form}\n`), 'yaml', form)
})

t.test('keys: duplicates, null and collection keys, merge keys and __proto__ stay as yaml has them', async (t) => {
  const cases: Array<[string, 'fast' | 'yaml']> = [
    ['a: 1\na: 2\n', 'yaml'],
    ['m: { a: 1, a: 2 }\n', 'yaml'],
    ['1: a\n"1": b\n', 'yaml'],
    ['~: a\n', 'yaml'],
    ['null: a\n', 'yaml'],
    ['? a\n: b\n', 'yaml'],
    ['[a, b]: c\n', 'yaml'],
    ['{a: b}: c\n', 'yaml'],
    ['m: { a: 1, [b] }\n', 'yaml'],
    ['m: { [] }\n', 'yaml'],
    ['m: { {a: 1} }\n', 'yaml'],
    ['m: { a: [b], c: [d] }\n', 'fast'],
    ['base: &b { x: 1 }\nm:\n  <<: *b\n  y: 2\n', 'yaml'],
    ['<<: { x: 1 }\ny: 2\n', 'fast'],
    ['__proto__: { polluted: true }\n', 'fast'],
    ['toString: x\nconstructor: y\n', 'fast'],
    ['1: a\n0x1: b\n', 'yaml'],
    ['.nan: a\n.NaN: b\n', 'yaml'],
    ['true: a\n1.5: b\n-0: c\n.inf: d\n', 'fast'],
    ['"": empty\n', 'fast'],
    ['${SET}: key\n', 'fast'],
  ]
  for (const [text, path] of cases) t.equal(agree(text), path, JSON.stringify(text))
  t.equal(Object.getPrototypeOf(fast('__proto__: { polluted: true }\n')), Object.prototype)
})

t.test('documents: empty, comments only, markers, several documents, directives, BOM and CRLF', async (t) => {
  const cases: Array<[string, 'fast' | 'yaml']> = [
    ['', 'fast'],
    ['# only a comment\n', 'fast'],
    ['---\na: 1\n', 'fast'],
    ['---\na: 1\n...\n', 'fast'],
    ['a: 1\n---\nb: 2\n', 'yaml'],
    ['%YAML 1.1\n---\na: yes\n', 'yaml'],
    ['%TAG ! tag:example.com,2000:\n---\na: 1\n', 'yaml'],
    ['\uFEFFa: 1\n', 'fast'],
    ['a: 1\r\nb:\r\n  - x\r\n', 'fast'],
    ['a: [1, 2\n', 'yaml'],
    ['a: "unterminated\n', 'yaml'],
    ['a:\n\t- tab\n', 'yaml'],
    ['a: b: c\n', 'yaml'],
  ]
  for (const [text, path] of cases) t.equal(agree(text), path, JSON.stringify(text))
})

t.test('the shipped configs and a bench-shaped connection list take the fast path', async (t) => {
  for (const file of ['config/latchkey.yaml', 'config/latchkey.compose.yaml']) t.equal(agree(readFileSync(repoPath(file), 'utf8')), 'fast', file)
  const lines = Array.from({ length: 200 }, (_, i) => i % 2 === 0
    ? `  cc-${i}: { connector: bench_cc, auth: cc, config: { client_id: cc-${i} }, access: { callers: [bench] } }`
    : `  key-${i}: { connector: bench_api_key, access: { callers: [bench], allow: ["GET /v1/**"] } }`)
  t.equal(agree(`callers:\n  api_keys:\n    bench: { key: "{{ get_secret('k') }}" }\nconnections:\n${lines.join('\n')}\n`), 'fast')
})

// ---------------------------------------------------------------------------------------------
// generated documents

const TRICKY = fc.constantFrom(...FAST_FORMS.filter((f) => !f.includes('\n')), ...YAML_FORMS)
const CHARS = fc.constantFrom('a', 'Z', '0', '9', ' ', '  ', '-', '_', '.', ':', ': ', '#', ' #', ',', '[', ']', '{', '}', '"', "'", '\\', '|', '>',
  '!', '&', '*', '?', '%', '@', '`', '$', '${SET}', '${UNSET}', '{{', '}}', '\t', 'é', '😀', '~', '/', '=', '\u0085', '\u00a0')
const text = fc.array(CHARS, { maxLength: 12 }).map((parts) => parts.join(''))

const scalar = fc.oneof(
  { weight: 3, arbitrary: TRICKY },
  { weight: 2, arbitrary: text },
  { weight: 2, arbitrary: text.map((s) => JSON.stringify(s)) },
  { weight: 1, arbitrary: text.map((s) => `'${s.replace(/'/g, "''").replace(/\n/g, ' ')}'`) },
  { weight: 1, arbitrary: fc.double().map(String) },
  { weight: 1, arbitrary: fc.integer().map((n) => `0x${Math.abs(n).toString(16)}`) },
)
const key = fc.oneof(
  { weight: 4, arbitrary: fc.stringMatching(/^[a-z_][a-z0-9_-]{0,8}$/) },
  { weight: 1, arbitrary: TRICKY },
  { weight: 1, arbitrary: text.map((s) => JSON.stringify(s)) },
)

type Tree = { scalar: string } | { map: Array<[string, Tree]> } | { seq: Tree[] }
const { tree } = fc.letrec<{ tree: Tree }>((tie) => ({
  tree: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    scalar.map((s) => ({ scalar: s })),
    fc.array(fc.tuple(key, tie('tree')), { maxLength: 4 }).map((map) => ({ map })),
    fc.array(tie('tree'), { maxLength: 3 }).map((seq) => ({ seq })),
  ),
}))

function flow (node: Tree): string {
  if ('scalar' in node) return node.scalar
  if ('seq' in node) return `[${node.seq.map(flow).join(', ')}]`
  return `{ ${node.map.map(([k, v]) => `${k}: ${flow(v)}`).join(', ')} }`
}

function block (node: Tree, indent: string, flowAt: number, depth = 0): string {
  if ('scalar' in node || depth >= flowAt) return ` ${flow(node)}\n`
  if ('seq' in node) return node.seq.length === 0 ? ' []\n' : '\n' + node.seq.map((v) => `${indent}-${block(v, indent + '  ', flowAt, depth + 1)}`).join('')
  return node.map.length === 0 ? ' {}\n' : '\n' + node.map.map(([k, v]) => `${indent}${k}:${block(v, indent + '  ', flowAt, depth + 1)}`).join('')
}

const document = fc.tuple(fc.array(fc.tuple(key, tree), { minLength: 1, maxLength: 5 }), fc.integer({ min: 0, max: 3 }), fc.boolean())
  .map(([entries, flowAt, comments]) => entries.map(([k, v]) => `${k}:${block(v, '  ', flowAt)}`).join(comments ? '# note\n\n' : ''))

t.test('generated documents: whenever the fast path takes one, yaml reads the same value', async (t) => {
  let taken = 0
  fc.assert(fc.property(document, (doc) => {
    if (agree(doc) === 'fast') taken++
  }), { numRuns: 1000 })
  // Not vacuous: about a fifth of the generated documents (215-260 in 12 runs of 1000) are valid
  // YAML without the forms left to yaml. The bound sits well below that spread: the seed is random.
  t.ok(taken > 150, `${taken} of 1000 generated documents took the fast path`)
})

t.test('the same documents with one character inserted, deleted or replaced', async (t) => {
  const edited = fc.tuple(document, fc.nat(), CHARS, fc.constantFrom('insert', 'delete', 'replace'))
    .map(([doc, at, ch, how]) => {
      const i = at % (doc.length + 1)
      return how === 'insert' ? doc.slice(0, i) + ch + doc.slice(i) : doc.slice(0, i) + (how === 'replace' ? ch : '') + doc.slice(i + 1)
    })
  let taken = 0
  fc.assert(fc.property(edited, (doc) => {
    if (agree(doc) === 'fast') taken++
  }), { numRuns: 1000 })
  // 150-190 in 12 runs of 1000.
  t.ok(taken > 110, `${taken} of 1000 edited documents took the fast path`)
})
