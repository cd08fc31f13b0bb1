/**
 * SPEC 3 `retry: { max, on, methods }` (opt-in): an upstream answer whose status is in `on`, or
 * a reset / timeout counted as 502 / 504, is sent again up to `max` times for the listed
 * methods; the caller sees only the last answer. Off by default; never for a streamed body.
 */
import t from 'tap'
import { startGateway } from '../../helpers/gateway.js'
import { recordingUpstream } from '../../helpers/upstream.js'

t.test('retries on listed statuses, for listed methods, up to max', async (t) => {
  // /flaky/N answers 503 N times per path, then 200; /always fails; /reset drops the socket once.
  const seen = new Map<string, number>()
  const upstream = await recordingUpstream(t, (req, res) => {
    const url = req.url ?? ''
    const n = (seen.get(url) ?? 0) + 1
    seen.set(url, n)
    const failures = Number(/\/flaky\/(\d+)/.exec(url)?.[1] ?? (url.startsWith('/always') ? 99 : 0))
    if (url.startsWith('/reset') && n === 1) { req.socket.destroy(); return }
    if (n <= failures) {
      res.writeHead(503, { 'content-type': 'text/plain', 'retry-after': '0' })
      res.end(`failure ${n}`)
      return
    }
    res.writeHead(200, { 'content-type': 'text/plain' })
    res.end(`answer after ${n}`)
  })
  const lk = await startGateway(t, `
server: { allow_private_upstreams: true }
connectors:
  retrying:
    base_url: ${upstream.url}
    auth: { methods: { none: { type: none } } }
    retry: { max: 2 }
  transformed:
    base_url: ${upstream.url}
    auth: { methods: { none: { type: none } } }
    retry: { max: 2, on: [503] }
    response: { body: "{{ response.body | upper }}" }
  plain:
    base_url: ${upstream.url}
    auth: { methods: { none: { type: none } } }
connections:
  r: { connector: retrying, access: { anonymous: true } }
  x: { connector: transformed, access: { anonymous: true } }
  p: { connector: plain, access: { anonymous: true } }
`)
  const send = async (path: string, init?: RequestInit) => {
    const res = await lk.fetch(path, init)
    return { status: res.status, text: await res.text() }
  }
  const hits = (path: string) => upstream.received.filter((r) => r.url === path).length

  t.same(await send('/proxy/r/flaky/2/a'), { status: 200, text: 'answer after 3' }, 'two 503s, then the answer')
  t.equal(hits('/flaky/2/a'), 3)

  t.same(await send('/proxy/r/always/a'), { status: 503, text: 'failure 3' }, 'max reached: the last answer goes back')
  t.equal(hits('/always/a'), 3, 'one request and two retries')

  t.same(await send('/proxy/r/reset/a'), { status: 200, text: 'answer after 2' }, 'a reset (502) is retried')

  t.same(await send('/proxy/x/flaky/1/b'), { status: 200, text: 'ANSWER AFTER 2' }, 'the buffered (response template) path retries too')

  t.same(await send('/proxy/r/flaky/1/c', { method: 'POST', body: 'payload' }), { status: 503, text: 'failure 1' }, 'POST is not in the default methods')
  t.equal(hits('/flaky/1/c'), 1)

  t.same(await send('/proxy/p/flaky/1/d'), { status: 503, text: 'failure 1' }, 'no retry block: no retry')
  t.equal(hits('/flaky/1/d'), 1)
})
