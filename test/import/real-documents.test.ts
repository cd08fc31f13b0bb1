/**
 * SPEC 12 on real public documents (@readme/oas-examples): a Swagger 2.0 one, an OpenAPI 3.0
 * one (YAML) and an OpenAPI 3.1 one are imported, loaded as whole config files, and run in a
 * gateway with a connection of the imported connector; one action each is called through
 * `POST /actions/...` and the recording upstream shows method, path, query and credential.
 */
import t, { type Test } from 'tap'
import path from 'node:path'
import { parse, stringify } from 'yaml'
import { assertNoSecrets, startGateway } from '../helpers/gateway.js'
import { recordingUpstream, type RecordingUpstream } from '../helpers/upstream.js'
import { EXAMPLES, importAndLoad } from './document.js'

const SECRETS = { caller_key: 'ck-real-docs-1b7c', pet_key: 'pk-real-docs-55e0a1', query_key: 'qk-real-docs-90d3', basic_pw: 'pw-real-docs-c44f' }

interface Case {
  document: string
  slug: string
  /** The server's base path, kept below the upstream's origin. */
  basePath: string
  connection: { auth: string, credentials: Record<string, string> }
}

/**
 * The imported document as written, plus a caller and one connection; the base URL points at
 * the recording upstream (same base path), everything else is the importer's.
 */
function gatewayConfig (importedYaml: string, c: Case, upstream: RecordingUpstream): string {
  const config = parse(importedYaml) as { connectors: Record<string, Record<string, unknown>> }
  config.connectors[c.slug]!.base_url = `${upstream.url}${c.basePath}`
  return stringify({
    server: { allow_private_upstreams: true },
    callers: { api_keys: { svc: { key: "{{ get_secret('caller_key') }}" } } },
    ...config,
    connections: { conn: { connector: c.slug, ...c.connection, access: { callers: ['svc'] } } },
  })
}

async function run (t: Test, c: Case, action: string, envelope: unknown): Promise<RecordingUpstream> {
  const { yaml, loaded } = await importAndLoad(path.join(EXAMPLES, c.document), c.slug)
  t.ok(loaded.capabilities?.entities, 'the output loads as a whole config file, with entities')
  const upstream = await recordingUpstream(t)
  const lk = await startGateway(t, gatewayConfig(yaml, c, upstream), { secrets: SECRETS })
  const res = await lk.fetch(`/actions/conn/${action}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-latchkey-key': SECRETS.caller_key },
    body: JSON.stringify(envelope),
  })
  t.equal(res.status, 200, await res.text())
  t.equal(upstream.received.length, 1, 'one upstream request')
  assertNoSecrets(t, lk.logs, Object.values(SECRETS))
  return upstream
}

t.test('Swagger 2.0 petstore (JSON): header API key, path parameter', async (t) => {
  const upstream = await run(t, {
    document: '2.0/json/petstore.json',
    slug: 'petstore2',
    basePath: '/v2',
    connection: { auth: 'api_key', credentials: { api_key: "{{ get_secret('pet_key') }}" } },
  }, 'pet/get_pet_by_id', { params: { petId: 42 }, query: { verbose: 'true' } })
  const seen = upstream.last()
  t.equal(seen.method, 'GET')
  t.equal(seen.url, '/v2/pet/42?verbose=true')
  t.equal(seen.headers.api_key, SECRETS.pet_key, 'the header the document names, with the connection credential')
})

t.test('OpenAPI 3.0 petstore (YAML): DELETE with a path parameter', async (t) => {
  const upstream = await run(t, {
    document: '3.0/yaml/petstore.yaml',
    slug: 'petstore3',
    basePath: '/v2',
    connection: { auth: 'api_key', credentials: { api_key: "{{ get_secret('pet_key') }}" } },
  }, 'store/delete_order', { params: { orderId: 'o-7' } })
  const seen = upstream.last()
  t.equal(seen.method, 'DELETE')
  t.equal(seen.url, '/v2/store/order/o-7')
  t.equal(seen.headers.api_key, SECRETS.pet_key)
})

t.test('OpenAPI 3.1 security example: query API key and Basic', async (t) => {
  const queryCase: Case = {
    document: '3.1/json/security.json',
    slug: 'security31',
    basePath: '',
    connection: { auth: 'api_key_query', credentials: { api_key_query: "{{ get_secret('query_key') }}" } },
  }
  const upstream = await run(t, queryCase, 'api_key/get_anything_api_key', { query: { page: '2' } })
  const seen = upstream.last()
  t.equal(seen.method, 'GET')
  t.equal(seen.url, `/anything/apiKey?page=2&apiKey=${SECRETS.query_key}`, 'the query parameter the document names')

  const basic = await run(t, {
    ...queryCase,
    connection: { auth: 'basic', credentials: { basic_username: 'ann', basic_password: "{{ get_secret('basic_pw') }}" } },
  }, 'http/post_anything_basic', { body: { a: 1 } })
  const post = basic.last()
  t.equal(post.method, 'POST')
  t.equal(post.url, '/anything/basic')
  t.equal(post.headers.authorization, `Basic ${Buffer.from(`ann:${SECRETS.basic_pw}`).toString('base64')}`)
  t.equal(post.body.toString(), '{"a":1}')
})
