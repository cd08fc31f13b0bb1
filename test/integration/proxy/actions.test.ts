/**
 * SPEC 7.3: POST /actions/:connection/:entity/:action runs a connector's declared action through
 * the data plane: same callers, access checks, auth injection and path safety as /proxy.
 */
import t from 'tap'
import { recordingUpstream } from '../../helpers/upstream.js'
import { assertNoSecrets, startGateway } from '../../helpers/gateway.js'

interface ErrorBody { error: { code: string, message: string, request_id: string } }
const errorOf = async (res: Response): Promise<ErrorBody['error']> => ((await res.json()) as ErrorBody).error

const SECRETS = { caller_key: 'ck-actions-5e4f3a2b1c', other_key: 'ok-actions-9z8y7x', crm_key: 'crm-7f6e5d4c3b2a1908' }

const yaml = (upstream: string) => `
server: { allow_private_upstreams: true, body_limit: 2kb }
callers:
  api_keys:
    svc: { key: "{{ get_secret('caller_key') }}" }
    other: { key: "{{ get_secret('other_key') }}" }
connectors:
  crm:
    base_url: ${upstream}/base
    auth: { methods: { key: { type: api_key, key: X-Api-Key, value: "{{ get_secret('crm_key') }}" } } }
    capabilities:
      entities:
        contact:
          fields: [id, email, name]
          actions:
            list:   { method: GET,  path: /crm/v3/objects/contacts }
            read:   { method: GET,  path: "/crm/v3/objects/contacts/{{ params.id }}" }
            create: { method: POST, path: /crm/v3/objects/contacts }
            update: { method: PATCH, path: "/crm/v3/objects/contacts/{{ params.id }}?tenant={{ connection.config.tenant }}" }
            search: { method: GET, path: "/crm/v3/{{ params.kind | default('objects') }}/search" }
          events: [created, updated, deleted]
connections:
  crm-1: { connector: crm, config: { tenant: acme }, access: { callers: [svc] } }
  crm-reads: { connector: crm, access: { callers: [svc], allow: ["GET /crm/v3/objects/contacts/*"] } }
`

const KEY = { 'x-latchkey-key': SECRETS.caller_key }

t.test('actions run through the data plane', async (t) => {
  const upstream = await recordingUpstream(t)
  const lk = await startGateway(t, yaml(upstream.url), { secrets: SECRETS })
  const call = (path: string, envelope: unknown, headers: Record<string, string> = KEY) =>
    lk.fetch(`/actions/${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(envelope) })

  t.test('list: GET with the query forwarded, auth injected, caller key dropped', async (t) => {
    const res = await call('crm-1/contact/list', { query: { limit: '10', after: 'a b&c', tag: ['x', 'y'], page: 2 } })
    t.equal(res.status, 200)
    t.same(await res.json(), { ok: true })
    const seen = upstream.last()
    t.equal(seen.method, 'GET')
    t.equal(seen.url, '/base/crm/v3/objects/contacts?limit=10&after=a%20b%26c&tag=x&tag=y&page=2')
    t.equal(seen.headers['x-api-key'], SECRETS.crm_key)
    t.notOk(seen.headers['x-latchkey-key'], 'the caller key never reaches the upstream')
    t.notOk(seen.headers['content-type'], 'no body, no content type')
    t.notOk(seen.headers['content-length'] !== undefined && seen.headers['content-length'] !== '0', 'no body')
    t.equal(seen.body.length, 0)
    t.ok(res.headers.get('server-timing')?.includes('upstream'))
  })

  t.test('read: params.id rendered into the path', async (t) => {
    const res = await call('crm-1/contact/read', { params: { id: 'c-42_x.y~z' } })
    t.equal(res.status, 200)
    await res.text()
    t.equal(upstream.last().url, '/base/crm/v3/objects/contacts/c-42_x.y~z')
    t.equal(upstream.last().method, 'GET')

    const numeric = await call('crm-1/contact/read', { params: { id: 1234 } })
    t.equal(numeric.status, 200, 'a number is stringified')
    await numeric.text()
    t.equal(upstream.last().url, '/base/crm/v3/objects/contacts/1234')
  })

  t.test('create: the action method and the JSON body, exactly', async (t) => {
    const body = { properties: { email: 'ann@example.com', name: 'Ann "A" Élan' }, tags: [1, null, true] }
    const res = await call('crm-1/contact/create', { body })
    t.equal(res.status, 200)
    await res.text()
    const seen = upstream.last()
    t.equal(seen.method, 'POST', 'the action method')
    t.equal(seen.url, '/base/crm/v3/objects/contacts')
    t.equal(seen.headers['content-type'], 'application/json')
    t.equal(seen.body.toString('utf8'), JSON.stringify(body), 'exact JSON.stringify bytes')
    t.equal(seen.headers['content-length'], String(Buffer.byteLength(JSON.stringify(body))))
    t.equal(seen.headers['x-api-key'], SECRETS.crm_key)

    const nullBody = await call('crm-1/contact/create', { body: null })
    t.equal(nullBody.status, 200)
    await nullBody.text()
    t.equal(upstream.last().body.toString('utf8'), 'null', 'a present null body is sent')
  })

  t.test('a path template may read connection.config and carry its own query', async (t) => {
    const res = await call('crm-1/contact/update', { params: { id: '7' }, query: { x: '1' }, body: { name: 'B' } })
    t.equal(res.status, 200)
    await res.text()
    const seen = upstream.last()
    t.equal(seen.method, 'PATCH')
    t.equal(seen.url, '/base/crm/v3/objects/contacts/7?tenant=acme&x=1')
    t.equal(seen.body.toString('utf8'), '{"name":"B"}')
  })

  t.test('a parameter read with default is optional', async (t) => {
    let res = await call('crm-1/contact/search', {})
    t.equal(res.status, 200)
    await res.text()
    t.equal(upstream.last().url, '/base/crm/v3/objects/search')
    res = await call('crm-1/contact/search', { params: { kind: 'deals' } })
    t.equal(res.status, 200)
    await res.text()
    t.equal(upstream.last().url, '/base/crm/v3/deals/search')
  })

  t.test('access: the same policy as /proxy', async (t) => {
    const before = upstream.received.length
    let res = await call('crm-1/contact/list', {}, { 'x-latchkey-key': SECRETS.other_key })
    t.equal(res.status, 403)
    t.equal((await errorOf(res)).code, 'forbidden', 'a caller the connection does not admit')

    res = await call('crm-1/contact/list', {}, {})
    t.equal(res.status, 403)
    t.equal((await errorOf(res)).code, 'forbidden', 'anonymous')

    res = await call('crm-1/contact/list', {}, { 'x-latchkey-key': 'wrong' })
    t.equal(res.status, 401)
    t.equal((await errorOf(res)).code, 'unauthenticated')

    res = await call('crm-reads/contact/list', {})
    t.equal(res.status, 403)
    t.equal((await errorOf(res)).code, 'route_not_allowed', 'allow does not match the list path')

    res = await call('crm-reads/contact/create', { body: {} })
    t.equal(res.status, 403)
    t.equal((await errorOf(res)).code, 'route_not_allowed', 'allow is about the action method too')
    t.equal(upstream.received.length, before, 'no refused request reached the upstream')

    res = await call('crm-reads/contact/read', { params: { id: '9' } })
    t.equal(res.status, 200, 'the rendered path matches the allow rule')
    await res.text()
    t.equal(upstream.last().url, '/base/crm/v3/objects/contacts/9')
  })

  t.test('unknown connection, entity or action', async (t) => {
    const before = upstream.received.length
    let res = await call('nope/contact/list', {})
    t.equal(res.status, 404)
    t.equal((await errorOf(res)).code, 'connection_not_found')

    res = await call('crm-1/deal/list', {})
    t.equal(res.status, 404)
    let error = await errorOf(res)
    t.equal(error.code, 'not_found')
    t.match(error.message, /no entity deal/)

    res = await call('crm-1/contact/delete', {})
    t.equal(res.status, 404)
    error = await errorOf(res)
    t.equal(error.code, 'not_found')
    t.match(error.message, /no action delete/)

    res = await call('crm-1/__proto__/list', {})
    t.equal(res.status, 404)
    t.equal((await errorOf(res)).code, 'not_found')

    res = await lk.fetch('/actions/crm-1/contact/list', { headers: KEY })
    t.equal(res.status, 405, 'only POST: 405 method_not_allowed')
    t.equal(upstream.received.length, before)
  })

  t.test('bad params are refused before the upstream', async (t) => {
    const before = upstream.received.length
    const bad: unknown[] = [
      { id: '..' }, { id: 'a/b' }, { id: '%2e' }, { id: '%2e%2e' }, { id: '' }, { id: 'a b' }, { id: 'a\\b' },
      { id: 'a?b' }, { id: 'a#b' }, { id: 'é' }, { id: { x: 1 } }, { id: ['a'] }, { id: null }, { id: true },
      'id', ['a'],
    ]
    for (const params of bad) {
      const res = await call('crm-1/contact/read', { params })
      t.equal(res.status, 400, JSON.stringify(params))
      t.equal((await errorOf(res)).code, 'invalid_request', JSON.stringify(params))
    }
    const missing = await call('crm-1/contact/read', { params: {} })
    t.equal(missing.status, 400)
    t.match((await errorOf(missing)), { code: 'invalid_request', message: /params\.id is required/ })
    t.equal(upstream.received.length, before, 'the upstream was never contacted')
  })

  t.test('bad params are refused before the caller is even identified', async (t) => {
    const res = await call('crm-1/contact/read', { params: { id: '..' } }, { 'x-latchkey-key': 'wrong' })
    t.equal(res.status, 400)
    t.equal((await errorOf(res)).code, 'invalid_request')
  })

  t.test('the envelope must be a JSON object', async (t) => {
    const before = upstream.received.length
    const post = (body: string, headers: Record<string, string>) =>
      lk.fetch('/actions/crm-1/contact/list', { method: 'POST', headers: { ...KEY, ...headers }, body })
    const cases: Array<[string, Record<string, string>, string]> = [
      ['params=1', { 'content-type': 'application/x-www-form-urlencoded' }, 'form body'],
      ['{"params":{}}', { 'content-type': 'text/plain' }, 'JSON as text/plain'],
      ['{not json', { 'content-type': 'application/json' }, 'broken JSON'],
      ['[1,2]', { 'content-type': 'application/json' }, 'an array'],
      ['"x"', { 'content-type': 'application/json' }, 'a string'],
      ['', { 'content-type': 'application/json' }, 'empty'],
      ['{"params":{},"bogus":1}', { 'content-type': 'application/json' }, 'an unknown field'],
      ['{"query":"a=1"}', { 'content-type': 'application/json' }, 'query not an object'],
      ['{"query":{"a":{"b":1}}}', { 'content-type': 'application/json' }, 'query value not a string'],
      ['{"query":{"a":"x\\r\\nHost: evil"}}', { 'content-type': 'application/json' }, 'CR LF in a query value'],
    ]
    for (const [body, headers, what] of cases) {
      const res = await post(body, headers)
      t.equal(res.status, 400, what)
      t.equal((await errorOf(res)).code, 'invalid_request', what)
    }
    const none = await lk.fetch('/actions/crm-1/contact/list', { method: 'POST', headers: KEY })
    t.equal(none.status, 400, 'no body at all')
    t.equal((await errorOf(none)).code, 'invalid_request')

    const charset = await post('{}', { 'content-type': 'application/json; charset=utf-8' })
    t.equal(charset.status, 200, 'application/json with a charset is JSON')
    await charset.text()
    t.equal(upstream.received.length, before + 1)
  })

  t.test('an envelope over body_limit is 413', async (t) => {
    const before = upstream.received.length
    const big = JSON.stringify({ body: { text: 'x'.repeat(4096) } })
    const res = await lk.fetch('/actions/crm-1/contact/create', { method: 'POST', headers: { ...KEY, 'content-type': 'application/json' }, body: big })
    t.equal(res.status, 413)
    t.equal((await errorOf(res)).code, 'payload_too_large')

    // Without a declared length (chunked), the limit holds while reading.
    const stream = new ReadableStream({
      start (controller) {
        controller.enqueue(new TextEncoder().encode(big))
        controller.close()
      },
    })
    const chunked = await lk.fetch('/actions/crm-1/contact/create',
      { method: 'POST', headers: { ...KEY, 'content-type': 'application/json' }, body: stream, duplex: 'half' } as RequestInit)
    t.equal(chunked.status, 413)
    t.equal((await errorOf(chunked)).code, 'payload_too_large')
    t.equal(upstream.received.length, before)
  })

  t.test('no secret in logs', async (t) => {
    assertNoSecrets(t, lk.logs, [SECRETS.crm_key, SECRETS.caller_key, SECRETS.other_key])
  })
})

t.test('/proxy still refuses to parse bodies and /actions does not leak into it', async (t) => {
  const upstream = await recordingUpstream(t)
  const lk = await startGateway(t, yaml(upstream.url), { secrets: SECRETS })
  const res = await lk.fetch('/proxy/crm-1/raw', { method: 'POST', headers: { ...KEY, 'content-type': 'text/plain' }, body: 'not json' })
  t.equal(res.status, 200)
  await res.text()
  t.equal(upstream.last().body.toString('utf8'), 'not json')
  t.equal(upstream.last().headers['content-type'], 'text/plain')
})
