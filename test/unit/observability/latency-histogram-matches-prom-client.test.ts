import t from 'tap'
import { Histogram, Registry } from 'prom-client'
import { LatencyHistogram } from '../../../src/observability/latency-histogram.js'

const BUCKETS = [0.005, 0.01, 0.025, 0.1, 1, 30]
// On a bound (counted in it, as `le` says), between bounds, above the last, zero; and a label
// value that the exposition format must escape.
const OBSERVED: Array<[string, number]> = [
  ['a', 0.005], ['a', 0.0051], ['a', 0], ['a', 31], ['a', 0.5],
  ['b "quoted"\nline', 0.02], ['b "quoted"\nline', 30], ['a', 1],
]

t.test('the scrape text is the one prom-client writes for the same observations', async (t) => {
  const ours = new Registry()
  const theirs = new Registry()
  const latency = new LatencyHistogram({ name: 'x_seconds', help: 'h', labelName: 'connection', buckets: BUCKETS, registers: [ours] })
  const reference = new Histogram({ name: 'x_seconds', help: 'h', labelNames: ['connection'] as const, buckets: BUCKETS, registers: [theirs] })
  for (const [label, seconds] of OBSERVED) {
    latency.series(label).observe(seconds)
    reference.labels(label).observe(seconds)
  }
  t.equal(await ours.metrics(), await theirs.metrics())
  // The JSON form too (the registry's getMetricsAsJSON), field by field that a reader uses.
  const values = async (registry: Registry) => (await registry.getMetricsAsJSON())[0]!.values
    .map((v) => ({ labels: v.labels, value: v.value, metricName: (v as { metricName?: string }).metricName }))
  t.same(await values(ours), await values(theirs))
})

t.test('a series is made once per label value and kept', async (t) => {
  const latency = new LatencyHistogram({ name: 'y_seconds', help: 'h', labelName: 'connection', buckets: BUCKETS, registers: [] })
  t.equal(latency.series('a'), latency.series('a'))
  t.not(latency.series('a'), latency.series('b'))
})

t.test('a non-finite reading is not counted', async (t) => {
  const latency = new LatencyHistogram({ name: 'z_seconds', help: 'h', labelName: 'connection', buckets: BUCKETS, registers: [] })
  const series = latency.series('a')
  series.observe(Number.NaN)
  series.observe(Number.POSITIVE_INFINITY)
  series.observe(0.01)
  t.equal(series.count, 1)
  t.equal(series.sum, 0.01)
})

t.test('resetMetrics zeroes the series callers hold', async (t) => {
  const registry = new Registry()
  const latency = new LatencyHistogram({ name: 'r_seconds', help: 'h', labelName: 'connection', buckets: BUCKETS, registers: [registry] })
  const held = latency.series('a')
  held.observe(0.2)
  registry.resetMetrics()
  held.observe(0.003)
  t.match(await registry.metrics(), /r_seconds_count\{connection="a"\} 1\n/)
  t.match(await registry.metrics(), /r_seconds_bucket\{le="0\.005",connection="a"\} 1\n/)
})

t.test('buckets out of order are refused at construction', async (t) => {
  t.throws(() => new LatencyHistogram({ name: 'w', help: 'h', labelName: 'c', buckets: [1, 0.5], registers: [] }), /ascending/)
})
