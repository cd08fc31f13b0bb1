import t from 'tap'
import { GatewayError } from '../../../src/errors.js'
import { canRetry, compileRetry, MAX_DELAY_MS, retryableStatus, retryDelayMs } from '../../../src/proxy/retry.js'

t.test('off unless max > 0; SPEC defaults for on and methods', async (t) => {
  t.equal(compileRetry(undefined), undefined)
  t.equal(compileRetry({ max: 0, on: [500] }), undefined)
  const p = compileRetry({ max: 2 })!
  t.equal(p.max, 2)
  t.same([...p.on], [429, 502, 503, 504])
  t.same([...p.methods], ['GET', 'HEAD'])
})

t.test('only methods listed, only bodies latchkey holds', async (t) => {
  const p = compileRetry({ max: 1, methods: ['GET', 'PUT'] })
  t.ok(canRetry(p, 'GET', null))
  t.ok(canRetry(p, 'PUT', Buffer.from('{}')))
  t.notOk(canRetry(p, 'POST', null), 'method not listed')
  t.notOk(canRetry(p, 'PUT', { pipe () {} }), 'a streamed body cannot be sent twice')
  t.notOk(canRetry(undefined, 'GET', null))
})

t.test('upstream statuses and transport failures', async (t) => {
  const p = compileRetry({ max: 1, on: [503, 502] })!
  t.ok(retryableStatus(p, 503))
  t.notOk(retryableStatus(p, 500))
  t.ok(retryableStatus(p, new GatewayError('upstream_unreachable', 'x')), 'a reset is a 502')
  t.notOk(retryableStatus(p, new GatewayError('upstream_timeout', 'x')), '504 not listed')
  t.notOk(retryableStatus(p, new GatewayError('template_error', 'x')), 'never a latchkey-side failure')
  t.notOk(retryableStatus(p, new Error('other')))
})

t.test('delays: doubling from 100 ms, Retry-After when longer, capped', async (t) => {
  t.equal(retryDelayMs(1, undefined), 100)
  t.equal(retryDelayMs(2, undefined), 200)
  t.equal(retryDelayMs(10, undefined), MAX_DELAY_MS)
  t.equal(retryDelayMs(1, '1'), 1000, 'Retry-After seconds')
  t.equal(retryDelayMs(1, '0'), 100, 'never shorter than the back-off')
  t.equal(retryDelayMs(1, '120'), MAX_DELAY_MS, 'a long Retry-After is capped')
  const now = Date.parse('2026-11-22T10:00:00Z')
  t.equal(retryDelayMs(1, 'Sun, 22 Nov 2026 10:00:01 GMT', now), 1000, 'an HTTP date')
  t.equal(retryDelayMs(1, ['1', '5']), 1000, 'the first of repeated headers')
  t.equal(retryDelayMs(1, 'soon'), 100, 'unparseable: the back-off')
})
