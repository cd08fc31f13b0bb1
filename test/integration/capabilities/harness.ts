/**
 * Table-driven checks of a built-in connector's capabilities (SPEC 7.3): one gateway with a
 * YAML connector that `extends` the built-in entry and only moves its base URL to a recording
 * upstream, one connection with a fake credential, and every declared action called through
 * `POST /actions/<connection>/<entity>/<action>`. Each case asserts the exact method, path,
 * query and body the upstream received, the credential the entry's auth method injected and the
 * entry's own headers; the table must name every action the entry declares.
 */
import type { Test } from 'tap'
import { BUILTIN_CONNECTORS } from '../../../src/catalog/builtin.js'
import { assertNoSecrets, startGateway } from '../../helpers/gateway.js'
import { recordingUpstream } from '../../helpers/upstream.js'

export interface ActionCase {
  entity: string
  action: string
  params?: Record<string, string>
  query?: Record<string, string | string[]>
  body?: unknown
  /** The body as the upstream must see it, when it is not the JSON of `body` (a form-encoded action). */
  sent?: { contentType: string, body: string }
  /** What the upstream must see: method, and the request line's path and query below the base path. */
  method: string
  url: string
}

export interface CapabilityTable {
  /** The built-in catalog slug under test. */
  slug: string
  /** The connection's YAML flow-map entries besides `connector` and `access` (credentials, auth). */
  connection: string
  /** Sealed into the store; every value is also scanned for in logs and answers. */
  secrets: Record<string, string>
  /** Lower-case header name -> the exact value the upstream must receive on every call. */
  headers: Record<string, string>
  cases: ActionCase[]
}

const CALLER_KEY = 'ck-capabilities-4d3c2b1a'
/** Below the upstream's root, so a case also proves the entry's paths stay below a base path. */
const BASE_PATH = '/base/v9'

export async function runCapabilityTable (t: Test, table: CapabilityTable): Promise<void> {
  const upstream = await recordingUpstream(t)
  const secrets = { caller_key: CALLER_KEY, ...table.secrets }
  const lk = await startGateway(t, `
server: { allow_private_upstreams: true }
callers:
  api_keys:
    svc: { key: "{{ get_secret('caller_key') }}" }
connectors:
  under-test:
    extends: ${table.slug}
    base_url: ${upstream.url}${BASE_PATH}
connections:
  conn: { connector: under-test, ${table.connection}, access: { callers: [svc] } }
`, { secrets })

  t.test('the table covers every action the catalog entry declares', async (t) => {
    const declared = Object.entries(BUILTIN_CONNECTORS[table.slug]?.capabilities?.entities ?? {})
      .flatMap(([entity, spec]) => Object.keys(spec.actions ?? {}).map((action) => `${entity}.${action}`))
    t.ok(declared.length > 0, `${table.slug} declares actions`)
    t.same(table.cases.map((c) => `${c.entity}.${c.action}`).sort(), declared.sort())
  })

  const answers: string[] = []
  for (const c of table.cases) {
    t.test(`${c.entity} ${c.action}: ${c.method} ${c.url}`, async (t) => {
      const envelope = {
        ...(c.params === undefined ? {} : { params: c.params }),
        ...(c.query === undefined ? {} : { query: c.query }),
        ...(c.body === undefined ? {} : { body: c.body }),
      }
      const before = upstream.received.length
      const res = await lk.fetch(`/actions/conn/${c.entity}/${c.action}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-latchkey-key': CALLER_KEY },
        body: JSON.stringify(envelope),
      })
      const text = await res.text()
      answers.push(text)
      t.equal(res.status, 200, text)
      t.equal(upstream.received.length, before + 1, 'exactly one upstream request')
      const seen = upstream.last()
      t.equal(seen.method, c.method)
      t.equal(seen.url, BASE_PATH + c.url)
      for (const [name, value] of Object.entries(table.headers)) t.equal(seen.headers[name], value, name)
      t.notOk(seen.headers['x-latchkey-key'], 'the caller key stays with latchkey')
      if (c.body === undefined) {
        t.equal(seen.body.length, 0, 'no body')
        t.notOk(seen.headers['content-type'], 'no content type without a body')
      } else {
        t.equal(seen.headers['content-type'], c.sent?.contentType ?? 'application/json')
        t.equal(seen.body.toString('utf8'), c.sent?.body ?? JSON.stringify(c.body), 'the body, byte for byte')
      }
    })
  }

  t.test('no secret in a log line or an answer', async (t) => {
    assertNoSecrets(t, [...lk.logs, ...answers], Object.values(secrets))
  })
}
