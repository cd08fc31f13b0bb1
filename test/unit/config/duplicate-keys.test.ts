import t from 'tap'
import { load, problemsOf } from '../../helpers/config.js'

const CONNECTOR = `connectors:
  weather:
    base_url: https://api.weather.example
`

t.test('a key written twice is reported at the second one, in block and flow mappings, at any depth', async (t) => {
  t.same(problemsOf(`${CONNECTOR}connections:\n  w: { connector: weather }\n  x: { connector: weather }\n  w: { connector: weather }\n`),
    ['7:3: Map keys must be unique'])
  t.same(problemsOf(`${CONNECTOR}connections:\n  w: { connector: weather, connector: weather }\n`), ['5:28: Map keys must be unique'])
  t.same(problemsOf(`${CONNECTOR}    headers:\n      X-A: a\n      X-A: b\n`), ['6:7: Map keys must be unique'])
})

t.test('every duplicate is reported, in file order, and other syntax errors too', async (t) => {
  const problems = problemsOf('server:\n  port: 1\n  port: 2\nserver: {}\nstore: [1, 2\n')
  t.equal(problems[0], '3:3: Map keys must be unique')
  t.equal(problems[1], '4:1: Map keys must be unique')
  t.ok(problems.length >= 3, JSON.stringify(problems))
})

t.test('keys that differ as YAML values are not duplicates', async (t) => {
  const config = load(`${CONNECTOR}    headers:\n      "1": a\n      X-1: b\n`)
  t.same(Object.keys(config.connectors.get('weather')!.headers ?? {}), ['1', 'X-1'])
})
