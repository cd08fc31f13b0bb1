/**
 * Defends: the log lines' timestamp (src/observability/logger.ts, formatted once per second) is
 * exactly pino's `stdTimeFunctions.isoTime` for the same clock: any millisecond, second
 * boundaries, clocks that go backwards, years outside 0000-9999.
 */
import fc from 'fast-check'
import { pino } from 'pino'
import t from 'tap'
import { isoTimestamp } from '../../../src/observability/logger.js'

const pinoAt = (ms: number): string => {
  const realNow = Date.now
  Date.now = () => ms
  try {
    return pino.stdTimeFunctions.isoTime()
  } finally {
    Date.now = realNow
  }
}

t.test('the same text as pino isoTime for any sequence of clock readings', async (t) => {
  const instant = fc.oneof(
    fc.integer({ min: 0, max: 4_102_444_800_000 }),
    fc.integer({ min: -8_640_000_000_000_000, max: 8_640_000_000_000_000 }),
    fc.constantFrom(0, 999, 1000, 1001, 1_796_179_279_999, 1_796_179_280_000, -1, -1000, -1001))
  let wrong = 0
  fc.assert(fc.property(fc.array(instant, { minLength: 1, maxLength: 20 }), (readings) => {
    let i = 0
    const stamp = isoTimestamp(() => readings[i]!)
    for (; i < readings.length; i++) if (stamp() !== pinoAt(readings[i]!)) wrong++
  }), { numRuns: 300 })
  t.equal(wrong, 0)
})
