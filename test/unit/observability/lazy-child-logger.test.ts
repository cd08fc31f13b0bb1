/**
 * The per-request logger is made on its first call at an enabled level; its lines are the ones a
 * real child writes (bindings, redaction), and calls below the level write nothing.
 */
import { Writable } from 'node:stream'
import t from 'tap'
import { createLogger, LazyChildLogger, lazyChildLoggerFactory } from '../../../src/observability/logger.js'

function capture () {
  const lines: Array<Record<string, unknown>> = []
  const destination = new Writable({
    write (chunk: Buffer, _enc, done) {
      for (const line of chunk.toString('utf8').split('\n')) if (line !== '') lines.push(JSON.parse(line) as Record<string, unknown>)
      done()
    },
  })
  return { lines, destination }
}

t.test('lines carry the bindings and pass through redaction; lower levels write nothing', async (t) => {
  const { lines, destination } = capture()
  const logger = createLogger({ level: 'warn', destination })
  const child = lazyChildLoggerFactory(logger, { reqId: 'req-1' }, {})
  t.ok(child instanceof LazyChildLogger)
  child.info({ method: 'GET' }, 'request')
  child.debug('nothing')
  await new Promise((resolve) => setImmediate(resolve))
  t.same(lines, [], 'below the level: no line')
  child.warn({ code: 'x', headers: { authorization: 'Bearer secret-token' } }, 'request failed')
  await new Promise((resolve) => setImmediate(resolve))
  t.equal(lines.length, 1)
  t.equal(lines[0]!.reqId, 'req-1')
  t.equal(lines[0]!.msg, 'request failed')
  t.equal((lines[0]!.headers as Record<string, string>).authorization, '[redacted]')
  t.equal(child.level, 'warn')
})

t.test('route-level options get a real child', async (t) => {
  const logger = createLogger({ level: 'info', destination: capture().destination })
  t.notOk(lazyChildLoggerFactory(logger, { reqId: 'r' }, { level: 'error' }) instanceof LazyChildLogger)
})
