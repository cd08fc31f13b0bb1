/**
 * SPEC 5.3 end to end: `response.body` renders the buffered upstream response into the body the
 * caller gets, with `response.content_type`. A failing template or an upstream body over
 * `body_limit` is 502 response_transform_failed, never a half-filtered body.
 */
import t from 'tap'
import { startGateway } from '../../helpers/gateway.js'
import { recordingUpstream } from '../../helpers/upstream.js'

t.test('response templates', async (t) => {
  const upstream = await recordingUpstream(t, (req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname
    if (path === '/items') {
      res.writeHead(200, { 'content-type': 'application/json', 'x-total': '3', 'set-cookie': 'sid=1' })
      res.end(JSON.stringify({ items: [{ id: 1, secret_field: 'hidden-a' }, { id: 2, secret_field: 'hidden-b' }, { id: 3, secret_field: 'hidden-c' }] }))
    } else if (path === '/missing') {
      res.writeHead(404, { 'content-type': 'application/json' })
      res.end('{"items":[]}')
    } else if (path === '/not-json') {
      res.writeHead(200, { 'content-type': 'text/html' })
      res.end('<html>maintenance</html>')
    } else if (path === '/big') {
      res.writeHead(200, { 'content-type': 'application/json' })
      res.end(JSON.stringify({ items: Array.from({ length: 400 }, (_, i) => ({ id: i, pad: 'x'.repeat(20) })) }))
    } else {
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}')
    }
  })
  const lk = await startGateway(t, `
server: { allow_private_upstreams: true, body_limit: 4kb }
connectors:
  count:
    base_url: ${upstream.url}
    auth: { methods: { none: { type: none } } }
    response:
      body: "{{ (response.body | from_json).items | length }}"
      content_type: text/plain
  ids:
    base_url: ${upstream.url}
    auth: { methods: { none: { type: none } } }
    response:
      body: >-
        {"status": {{ response.status_code }}, "total": "{{ response.headers['x-total'] }}",
        "ids": [{% for item in (response.body | from_json).items %}{{ item.id | tojson }}{% if not loop.last %},{% endif %}{% endfor %}]}
      content_type: application/json
  broken:
    base_url: ${upstream.url}
    auth: { methods: { none: { type: none } } }
    response:
      body: "{{ response.no_such_field.x }}"
connections:
  count: { connector: count, access: { anonymous: true } }
  ids: { connector: ids, access: { anonymous: true } }
  broken: { connector: broken, access: { anonymous: true } }
`)

  t.test('the rendered body and content type replace the upstream\'s', async (t) => {
    const res = await lk.fetch('/proxy/count/items')
    t.equal(res.status, 200)
    t.equal(res.headers.get('content-type'), 'text/plain')
    t.equal(await res.text(), '3')
    t.notOk(res.headers.get('set-cookie'))
    t.equal(upstream.last().headers['accept-encoding'], 'identity', 'the upstream is asked for an uncompressed body')

    const ids = await lk.fetch('/proxy/ids/items')
    t.equal(ids.headers.get('content-type'), 'application/json')
    const text = await ids.text()
    t.same(JSON.parse(text), { status: 200, total: '3', ids: [1, 2, 3] }, 'status, headers and body are in the context')
    t.notMatch(text, /hidden-/, 'fields the template leaves out never reach the caller')
  })

  t.test('the upstream status is kept', async (t) => {
    const res = await lk.fetch('/proxy/count/missing')
    t.equal(res.status, 404)
    t.equal(await res.text(), '0')
  })

  t.test('a failing template is 502 response_transform_failed', async (t) => {
    for (const path of ['/proxy/count/not-json', '/proxy/broken/items']) {
      const res = await lk.fetch(path)
      t.equal(res.status, 502, `${path}: 502`)
      t.match(res.headers.get('content-type'), /^application\/json/)
      const text = await res.text()
      t.equal((JSON.parse(text) as { error: { code: string } }).error.code, 'response_transform_failed', `${path}: code`)
      t.notMatch(text, /maintenance|hidden-/, `${path}: no upstream body in the error`)
    }
  })

  t.test('an upstream body over body_limit is 502', async (t) => {
    const res = await lk.fetch('/proxy/count/big')
    t.equal(res.status, 502)
    const text = await res.text()
    t.equal((JSON.parse(text) as { error: { code: string } }).error.code, 'response_transform_failed')
    t.notMatch(text, /pad/)
  })
})
