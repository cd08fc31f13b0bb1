import t from 'tap'
import { load, problemsOf } from '../../helpers/config.js'

t.test('${NAME} and ${NAME:-default} are substituted in scalar strings', async (t) => {
  const config = load(`server:
  port: \${PORT}
  host: \${HOST:-0.0.0.0}
  public_url: "https://\${DOMAIN}/gw"
variables:
  region: \${REGION:-eu}
  literal: "cost: $\${AMOUNT}"
  empty_default: "\${EMPTY:-fallback}"
`, { PORT: '9090', DOMAIN: 'gw.example.com', EMPTY: '' })
  t.equal(config.server.port, 9090, 'a substituted number is coerced to the schema type')
  t.equal(config.server.host, '0.0.0.0')
  t.equal(config.server.public_url, 'https://gw.example.com/gw')
  t.equal(config.variables.region, 'eu')
  t.equal(config.variables.literal, 'cost: ${AMOUNT}', '$${ stays a literal ${')
  t.equal(config.variables.empty_default, 'fallback', 'an empty variable takes the default, as in the shell')
})

t.test('an unset variable without default is a positioned problem', async (t) => {
  t.same(problemsOf('server:\n  host: ${NOT_SET_ANYWHERE}\n'), [
    '2:9: environment variable NOT_SET_ANYWHERE is not set (use ${NOT_SET_ANYWHERE:-default} for a fallback)',
  ])
})

t.test('substitution happens before template compilation', async (t) => {
  const config = load(`connectors:
  api:
    base_url: \${API_BASE}
    auth: { methods: { b: { type: bearer, token: "{{ get_secret('\${SECRET_NAME}') }}" } } }
connections:
  api: { connector: api }
`, { API_BASE: 'https://api.example.com', SECRET_NAME: 'api_token' })
  const connector = config.connectors.get('api')!
  t.equal(connector.base_url, 'https://api.example.com')
  t.same(connector.auth.methods.b, { type: 'bearer', token: "{{ get_secret('api_token') }}" })
})

t.test('keys are never substituted', async (t) => {
  t.match(problemsOf('variables:\n  ${X}: 1\n', { X: 'y' })[0], /^2:3: variables: invalid variable name/)
})
