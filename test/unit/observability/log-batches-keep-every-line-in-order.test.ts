/**
 * Defends: the batching stdout destination (src/observability/log-destination.ts) writes every
 * line once, in order, byte for byte (multi-byte text included), when its batch is full, when
 * its delay runs out, and when asked to flush.
 */
import { closeSync, mkdtempSync, openSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import t, { type Test } from 'tap'
import { BatchingDestination } from '../../../src/observability/log-destination.js'

function logFile (t: Test): { fd: number, text: () => string } {
  const path = join(mkdtempSync(join(tmpdir(), 'latchkey-log-')), 'out.log')
  const fd = openSync(path, 'w')
  t.teardown(() => closeSync(fd))
  return { fd, text: () => readFileSync(path, 'utf8') }
}

const line = (i: number): string => `{"n":${i},"msg":"${'é∑𝄞x'.repeat(i % 7)}"}\n`

t.test('every line, in order, once the batch is flushed', async (t) => {
  const file = logFile(t)
  const destination = new BatchingDestination(file.fd, { batchChars: 1000, maxDelayMs: 60_000 })
  let expected = ''
  for (let i = 0; i < 5000; i++) {
    destination.write(line(i))
    expected += line(i)
  }
  destination.flushSync()
  t.equal(file.text(), expected)
})

t.test('a full batch is written at once, without waiting for the delay', async (t) => {
  const file = logFile(t)
  const destination = new BatchingDestination(file.fd, { batchChars: 100, maxDelayMs: 60_000 })
  destination.write('a'.repeat(60) + '\n')
  t.equal(file.text(), '', 'a partial batch waits')
  destination.write('b'.repeat(60) + '\n')
  t.equal(file.text(), 'a'.repeat(60) + '\n' + 'b'.repeat(60) + '\n')
  destination.flushSync()
})

t.test('a lone line is written once its delay runs out', async (t) => {
  const file = logFile(t)
  const destination = new BatchingDestination(file.fd, { batchChars: 1_000_000, maxDelayMs: 20 })
  destination.write('alone\n')
  t.equal(file.text(), '')
  for (let waited = 0; file.text() === '' && waited < 2000; waited += 10) await sleep(10)
  t.equal(file.text(), 'alone\n')
  destination.write('later\n')
  for (let waited = 0; file.text() === 'alone\n' && waited < 2000; waited += 10) await sleep(10)
  t.equal(file.text(), 'alone\nlater\n', 'the delay starts again with the next batch')
})

t.test("pino's flush(cb) writes the batch and calls back", async (t) => {
  const file = logFile(t)
  const destination = new BatchingDestination(file.fd, { maxDelayMs: 60_000 })
  destination.write('one\n')
  await new Promise<void>((resolve) => destination.flush(() => resolve()))
  t.equal(file.text(), 'one\n')
})
