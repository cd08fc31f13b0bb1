/**
 * SPEC 7.3 + 6.4: an action's path parameters cannot move the upstream request out of the base
 * URL. Values are single unreserved-character segments other than `..`; the rendered path then
 * passes the same path safety as /proxy, so even values that are safe one by one (`.` next to
 * `.`) or a path template that builds its own `..` are refused before any credential work.
 */
import t from 'tap'
import { parseActionParams } from '../../src/proxy/action-params.js'
import { recordingUpstream } from '../helpers/upstream.js'
import { startGateway } from '../helpers/gateway.js'

interface ErrorBody { error: { code: string, message: string, request_id: string } }
const errorOf = async (res: Response): Promise<ErrorBody['error']> => ((await res.json()) as ErrorBody).error

const hostile: string[] = [
  '..', '../x', 'a/../b', '/', 'a/b', '/etc/passwd', '\\', 'a\\..', '%2e%2e', '%2E%2E', '.%2e', '%252e%252e', '%2f', '%5c',
  '..;', '..%00', 'a\u0000', 'a\r\nHost: evil', '#', '?x=1', '@evil.com', 'http://evil.com', '//evil.com',
  '\uff0e\uff0e', '%c0%ae%c0%ae', ' ..', '.. ', '', ' ', 'a b', '\u00e9',
]

t.test(`${hostile.length} hostile parameter values are refused with invalid_request`, async (t) => {
  for (const value of hostile) {
    t.throws(() => parseActionParams({ id: value }, ['id']), { code: 'invalid_request', status: 400 }, JSON.stringify(value))
  }
})

t.test('messages never echo the value', async (t) => {
  const secretish = 'a/../sk_live_123'
  try {
    parseActionParams({ id: secretish }, ['id'])
    t.fail('must throw')
  } catch (err) {
    t.match(err, { code: 'invalid_request' })
    t.notMatch((err as Error).message, /sk_live/)
  }
})

t.test('benign values pass unchanged', async (t) => {
  for (const value of ['a', '42', 'c-1_x.y~z', '.', '...', 'a..b', '.hidden', '~', '-']) {
    t.equal(parseActionParams({ id: value }, ['id']).id, value)
  }
})

t.test('through the gateway: nothing leaves the base URL, nothing reaches the upstream', async (t) => {
  const upstream = await recordingUpstream(t)
  const lk = await startGateway(t, `
server: { allow_private_upstreams: true }
connectors:
  api:
    base_url: ${upstream.url}/base
    auth: { methods: { key: { type: api_key, key: X-Api-Key, value: "{{ get_secret('k') }}" } } }
    capabilities:
      entities:
        file:
          actions:
            read:   { method: GET, path: "/files/{{ params.id }}" }
            joined: { method: GET, path: "/files/{{ params.a }}{{ params.b }}/x" }
            config: { method: GET, path: "/files/{{ connection.config.dir }}/{{ params.id }}" }
            prefix: { method: GET, path: "{{ params.id }}" }
connections:
  open: { connector: api, config: { dir: "../../admin" }, access: { anonymous: true } }
`, { secrets: { k: 'upstream-key-0123456789' } })
  const call = (action: string, params: unknown) => lk.fetch(`/actions/open/file/${action}`,
    { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ params }) })

  for (const value of hostile) {
    const res = await call('read', { id: value })
    t.equal(res.status, 400, JSON.stringify(value))
    t.equal((await errorOf(res)).code, 'invalid_request', JSON.stringify(value))
  }

  // Each value is safe on its own; together they render a `..` segment: path safety refuses it.
  let res = await call('joined', { a: '.', b: '.' })
  t.equal(res.status, 400)
  t.equal((await errorOf(res)).code, 'invalid_path')

  // A template that climbs by itself (here from connection config) is refused the same way.
  res = await call('config', { id: 'x' })
  t.equal(res.status, 400)
  t.equal((await errorOf(res)).code, 'invalid_path')

  // A value that is the whole path cannot start a scheme-relative or absolute URL.
  for (const value of ['evil.com', '.', 'x']) {
    res = await call('prefix', { id: value })
    t.equal(res.status, 400, `path ${value}`)
    t.equal((await errorOf(res)).code, 'invalid_path', `path ${value}`)
  }
  t.equal(upstream.received.length, 0, 'the upstream was never contacted')

  // A lone `.` segment cannot climb above the base URL and is forwarded as sent.
  res = await call('read', { id: '.' })
  t.equal(res.status, 200)
  await res.text()
  t.equal(upstream.last().url, '/base/files/.')
  t.equal(upstream.last().headers.host, `127.0.0.1:${upstream.port}`)
})
