/**
 * `latchkey validate` warnings: a machine-to-machine method (client credentials, jwt, jwt bearer)
 * on a connection open to users or anonymous callers with neither `allow` rules nor a response
 * template; and an empty config. Each at the position of what it is about.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import t from 'tap'
import { formatConfigWarnings } from '../../../src/commands/validate-warnings.js'
import { loadGatewayConfig } from '../../../src/config/load-with-templates.js'

const M2M = `
callers:
  jwt: { issuer: https://auth.example.com/, audience: latchkey, secret: "{{ get_secret('hs') }}", algorithms: [HS256] }
connectors:
  erp:
    base_url: https://erp.example.com
    response: { body: null }
    auth:
      default: cc
      methods:
        cc: { type: oauth_client_credentials, token_url: https://erp.example.com/token, client_id: app, client_secret: "{{ get_secret('erp') }}" }
        signed: { type: jwt, algorithm: HS256, private_key: "{{ get_secret('erp') }}", claims: { iss: app } }
        key: { type: bearer, token: "{{ get_secret('erp') }}" }
  erp-shaped:
    extends: null
    base_url: https://erp.example.com
    response: { body: "{{ response.body | safe }}" }
    auth: { methods: { cc: { type: oauth_client_credentials, token_url: https://erp.example.com/token, client_id: app, client_secret: "{{ get_secret('erp') }}" } } }
connections:
  for-users:
    connector: erp
    access: { users: true }
  for-everyone:
    connector: erp
    auth: signed
    access: { anonymous: true }
  with-allow: { connector: erp, access: { users: true, allow: ["GET /v1/invoices/**"] } }
  with-template: { connector: erp-shaped, access: { users: true } }
  key-only: { connector: erp, auth: key, access: { anonymous: true } }
  services-only: { connector: erp, access: { callers: ["*"] } }
`

async function warningsOf (t: { teardown: (fn: () => unknown) => void }, yaml: string): Promise<{ lines: string[], file: string }> {
  const dir = await mkdtemp(path.join(tmpdir(), 'latchkey-warn-'))
  t.teardown(() => rm(dir, { recursive: true, force: true }))
  const file = path.join(dir, 'latchkey.yaml')
  await writeFile(file, yaml)
  const { config } = await loadGatewayConfig(file, {}, dir)
  return { lines: await formatConfigWarnings(config, {}), file }
}

t.test('machine-to-machine methods open to users or anonymous callers', async (t) => {
  const { lines, file } = await warningsOf(t, M2M)
  const pick = (id: string) => lines.filter((l) => l.includes(`connections.${id}:`))
  t.equal(lines.length, 2, lines.join('\n'))
  t.match(pick('for-users')[0], new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:22:5: warning: connections\\.for-users: users may call every path with the application's own oauth_client_credentials credentials \\(method 'cc'\\); limit them with access\\.allow rules or a connector response\\.body template$`))
  t.match(pick('for-everyone')[0], /:26:5: warning: connections\.for-everyone: anonymous callers may call every path with the application's own jwt credentials \(method 'signed'\)/)
  for (const quiet of ['with-allow', 'with-template', 'key-only', 'services-only']) t.same(pick(quiet), [], `${quiet}: no warning`)
})

t.test('an empty config', async (t) => {
  for (const text of ['', '# only a comment\n', '{}\n']) {
    const { lines, file } = await warningsOf(t, text)
    t.same(lines, [`${file}:1:1: warning: the config is empty: latchkey would start with defaults and no connections (see config/latchkey.yaml for a first one)`], JSON.stringify(text))
  }
})
