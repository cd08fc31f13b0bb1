/**
 * Traced, the upstream receives exactly one `traceparent`: latchkey's, naming the exported
 * upstream span, never the caller's alongside it. A caller's valid traceparent (and tracestate)
 * is continued: same trace id, the caller's span as the server span's parent, and the caller's
 * sampling decision kept (parent-based). A malformed one starts a new trace.
 */
import t from 'tap'
import { startGateway } from '../../helpers/gateway.js'
import { otlpReceiver, SPAN_KIND } from '../../helpers/otlp-receiver.js'
import { recordingUpstream, type Received } from '../../helpers/upstream.js'

const CALLER_TRACE = '4bf92f3577b34da6a3ce929d0e0e4736'
const CALLER_SPAN = '00f067aa0ba902b7'

/** Every value of one header as sent on the wire (raw pairs, so a duplicate cannot hide). */
function values (received: Received, name: string): string[] {
  const out: string[] = []
  for (let i = 0; i < received.rawHeaders.length; i += 2) {
    if (received.rawHeaders[i]!.toLowerCase() === name) out.push(received.rawHeaders[i + 1]!)
  }
  return out
}

function parse (traceparent: string): { trace: string, parent: string, flags: string } {
  const m = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/.exec(traceparent)
  if (m === null) throw new Error(`not a traceparent: ${traceparent}`)
  return { trace: m[1]!, parent: m[2]!, flags: m[3]! }
}

t.test('one traceparent upstream, ours; the caller\'s trace continued', async (t) => {
  const receiver = await otlpReceiver(t)
  const upstream = await recordingUpstream(t)
  const gw = await startGateway(t, `
server:
  allow_private_upstreams: true
  tracing: { enabled: true, endpoint: "${receiver.url}" }
connectors:
  plain:
    base_url: ${upstream.url}
    headers: { X-Fixed: fixed }
    auth: { methods: { none: { type: none } } }
connections:
  plain: { connector: plain, access: { anonymous: true } }
`)
  const send = async (path: string, headers: Record<string, string> = {}) => {
    const res = await gw.fetch(path, { headers })
    await res.arrayBuffer()
    t.equal(res.status, 200)
    return upstream.last()
  }
  const fresh = await send('/proxy/plain/fresh')
  const continued = await send('/proxy/plain/continued', { traceparent: `00-${CALLER_TRACE}-${CALLER_SPAN}-01`, tracestate: 'vendor=opaque-1' })
  const unsampled = await send('/proxy/plain/unsampled', { traceparent: `00-${CALLER_TRACE.replace('4b', '5c')}-${CALLER_SPAN}-00` })
  const malformed = await send('/proxy/plain/malformed', { traceparent: `00-${'0'.repeat(32)}-${CALLER_SPAN}-01`, tracestate: 'vendor=opaque-2' })
  await gw.close()
  const spans = receiver.spans()
  const upstreamSpan = (path: string) => spans.find((s) => s.kind === SPAN_KIND.client && s.attributes['url.path'] === path)!

  await t.test('without a caller traceparent: a new trace, named upstream', async (t) => {
    t.equal(values(fresh, 'traceparent').length, 1)
    const sent = parse(values(fresh, 'traceparent')[0]!)
    const span = upstreamSpan('/fresh')
    t.equal(sent.trace, span.traceId, 'the exported spans\' trace')
    t.equal(sent.parent, span.spanId, 'the upstream span is the parent of the upstream\'s work')
    t.equal(sent.flags, '01')
    t.same(values(fresh, 'tracestate'), [])
  })

  await t.test('a caller traceparent and tracestate: continued, and replaced by ours', async (t) => {
    t.equal(values(continued, 'traceparent').length, 1, 'exactly one traceparent')
    const sent = parse(values(continued, 'traceparent')[0]!)
    t.equal(sent.trace, CALLER_TRACE, 'the caller\'s trace id')
    const span = upstreamSpan('/continued')
    t.equal(sent.parent, span.spanId, 'our upstream span, not the caller\'s span')
    t.not(sent.parent, CALLER_SPAN)
    const server = spans.find((s) => s.spanId === span.parentSpanId)!
    t.equal(server.kind, SPAN_KIND.server)
    t.equal(server.traceId, CALLER_TRACE)
    t.equal(server.parentSpanId, CALLER_SPAN, 'the server span\'s parent is the caller\'s span')
    t.same(values(continued, 'tracestate'), ['vendor=opaque-1'], 'one tracestate, the trace\'s')
    t.equal(continued.headers['x-fixed'], 'fixed', 'the connector\'s own headers are still there')
  })

  await t.test('an unsampled caller trace: nothing exported, the decision passed on', async (t) => {
    t.notOk(spans.some((s) => s.attributes['url.path'] === '/unsampled'))
    t.equal(values(unsampled, 'traceparent').length, 1)
    const sent = parse(values(unsampled, 'traceparent')[0]!)
    t.equal(sent.trace, CALLER_TRACE.replace('4b', '5c'))
    t.equal(sent.flags, '00')
  })

  await t.test('a malformed caller traceparent: a new trace; its tracestate dropped', async (t) => {
    t.equal(values(malformed, 'traceparent').length, 1)
    const sent = parse(values(malformed, 'traceparent')[0]!)
    t.not(sent.trace, '0'.repeat(32))
    t.equal(sent.trace, upstreamSpan('/malformed').traceId)
    t.same(values(malformed, 'tracestate'), [])
  })
})
