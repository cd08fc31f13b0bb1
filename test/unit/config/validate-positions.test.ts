import t from 'tap'
import { load, problemsOf } from '../../helpers/config.js'

const BASE = `connectors:
  weather:
    base_url: https://api.weather.example
    auth:
      default: key
      methods:
        key: { type: api_key, key: key, value: "{{ get_secret('weather_key') }}", in: query }
`

t.test('a valid config loads, frozen, with defaults', async (t) => {
  const config = load(`${BASE}connections:
  weather-main:
    connector: weather
`)
  t.equal(config.server.port, 8080)
  t.equal(config.server.upstream_timeout_ms, 15_000)
  t.equal(config.server.body_limit_bytes, 10 * 1024 * 1024)
  t.equal(config.store.type, 'file')
  t.equal(config.store.path, '/srv/data')
  t.equal(config.cache.type, 'memory')
  const conn = config.connections.get('weather-main')!
  t.equal(conn.auth, 'key', 'the connector default method')
  t.same(conn.access, { anonymous: false, callers: [], users: false }, 'no access section admits nobody')
  t.ok(Object.isFrozen(conn))
  t.ok(Object.isFrozen(config.server))
})

t.test('each problem is reported at its line and column', async (t) => {
  const cases: Array<[string, string, string]> = [
    ['unknown top-level key', 'servr:\n  port: 1\n', '1:1: unknown key \'servr\''],
    ['unknown nested key', 'server:\n  port: 8080\n  hots: x\n', '3:3: server: unknown key \'hots\''],
    ['wrong type', 'server:\n  port: eighty\n', '2:9: server.port: expected an integer'],
    ['bad duration', 'server:\n  upstream_timeout: soon\n', '2:21: server.upstream_timeout: expected a duration such as 500ms, 15s, 5m, 1h or a number of seconds'],
    ['bad connection id', `${BASE}connections:\n  Bad_Id:\n    connector: weather\n`, '9:3: connections: invalid id (must match ^[a-z0-9][a-z0-9_-]{0,62}$): \'Bad_Id\''],
    ['unknown connector', `${BASE}connections:\n  w:\n    connector: wether\n`, '10:16: connections.w.connector: unknown connector \'wether\''],
    ['unknown auth method', `${BASE}connections:\n  w:\n    connector: weather\n    auth: oauth\n`, '11:11: connections.w.auth: unknown auth method \'oauth\' for connector \'weather\' (methods: key)'],
    ['unknown auth type', 'connectors:\n  c:\n    base_url: https://x.example\n    auth:\n      methods:\n        m: { type: magic }\n', '6:20: connectors.c.auth.methods.m.type: unknown type "magic"'],
    ['template syntax error', 'connectors:\n  c:\n    base_url: https://x.example\n    headers:\n      X-A: "{{ oops( }}"\n', '5:12: connectors.c.headers.X-A:'],
    ['get_secret in base_url', 'connectors:\n  c:\n    base_url: "https://{{ get_secret(\'host\') }}"\n', '3:15: connectors.c.base_url: get_secret'],
    ['invalid inputs regex', 'connectors:\n  c:\n    base_url: https://x.example\n    inputs:\n      - { name: sub, pattern: "^[a-z" }\n', '5:31: connectors.c.inputs[0].pattern: invalid regular expression: ^[a-z'],
    ['duplicate id', `${BASE}connections:\n  w:\n    connector: weather\n  w:\n    connector: weather\n`, '11:3: Map keys must be unique'],
    ['malformed YAML', 'server:\n  port: [1, 2\n', '3:1:'],
    ['unknown api key caller', `${BASE}connections:\n  w:\n    connector: weather\n    access: { callers: [billing] }\n`, '11:25: connections.w.access.callers[0]: unknown api key caller \'billing\''],
    ['static action path escaping the base URL', 'connectors:\n  c:\n    base_url: https://x.example\n    capabilities:\n      entities:\n        e:\n          actions:\n            up: { method: GET, path: "/a/../../admin" }\n', '8:38: connectors.c.capabilities.entities.e.actions.up.path: path does not stay below the base URL: the path must not contain a .. segment'],
    ['static test path with a scheme', 'connectors:\n  c:\n    base_url: https://x.example\n    test: { path: "//evil.example/x" }\n', '4:19: connectors.c.test.path: path does not stay below the base URL'],
    ['bad allow rule', `${BASE}connections:\n  w:\n    connector: weather\n    access: { allow: ["get /x"] }\n`, '11:23: connections.w.access.allow[0]: expected \'METHOD /path/glob\''],
  ]
  for (const [name, yaml, expected] of cases) {
    const problems = problemsOf(yaml)
    t.ok(problems.some((p) => p.startsWith(expected)), `${name}: expected "${expected}", got ${JSON.stringify(problems)}`)
  }
})

t.test('every problem is reported, not only the first', async (t) => {
  const problems = problemsOf('server:\n  port: x\n  hots: y\nstore:\n  type: disk\n')
  t.equal(problems.length, 3, JSON.stringify(problems))
})

t.test('semantic problems are all reported together, sorted by line', async (t) => {
  const problems = problemsOf(`${BASE}connections:
  a:
    connector: nope
  b:
    connector: weather
    auth: nope
`)
  t.equal(problems.length, 2)
  t.match(problems[0], /^10:16: /)
  t.match(problems[1], /^13:11: /)
})
