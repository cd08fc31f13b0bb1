/**
 * Defends: no access line is lost to the batching stdout destination
 * (src/observability/log-destination.ts): what is still batched when the process exits (by
 * process.exit, by an uncaught exception, or with nothing left to do) is written then, and a
 * stdout pipe that is full, non-blocking and read slowly still gets every byte in order.
 */
import { spawn } from 'node:child_process'
import { dirname, join } from 'node:path'
import { pathToFileURL } from 'node:url'
import t from 'tap'
import { latchkeyCli } from '../../helpers/gateway-process.js'

const destinationModule = pathToFileURL(join(dirname(latchkeyCli()), 'observability', 'log-destination.js')).href

interface Run { stdout: string, code: number | null }

/** Runs `body` in a child node with `destination` bound to the stdout destination. */
function runChild (body: string, readSlowly = false): Promise<Run> {
  const script = `const { stdoutDestination } = await import(${JSON.stringify(destinationModule)})\nconst destination = stdoutDestination()\n${body}`
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'ignore'] })
    const chunks: Buffer[] = []
    child.stdout.on('data', (chunk: Buffer) => {
      chunks.push(chunk)
      if (readSlowly) {
        child.stdout.pause()
        setTimeout(() => child.stdout.resume(), 2)
      }
    })
    child.on('error', reject)
    child.on('close', (code) => resolve({ stdout: Buffer.concat(chunks).toString('utf8'), code }))
  })
}

const lines = (n: number): string => Array.from({ length: n }, (_, i) => `{"n":${i}}\n`).join('')

t.test('lines still batched are written when the process runs out of work', async (t) => {
  const run = await runChild("destination.write('{\"n\":0}\\n')")
  t.equal(run.stdout, lines(1))
  t.equal(run.code, 0)
})

t.test('lines still batched are written on process.exit', async (t) => {
  const run = await runChild("for (let i = 0; i < 3; i++) destination.write(`{\"n\":${i}}\\n`)\nprocess.exit(3)")
  t.equal(run.stdout, lines(3))
  t.equal(run.code, 3)
})

t.test('lines still batched are written when an uncaught exception ends the process', async (t) => {
  const run = await runChild("destination.write('{\"n\":0}\\n')\nsetImmediate(() => { throw new Error('boom') })")
  t.equal(run.stdout, lines(1))
  t.equal(run.code, 1)
})

t.test('a full non-blocking pipe read slowly still gets every line, in order', async (t) => {
  // Touching process.stdout makes node set O_NONBLOCK on a pipe: writes then come back short or
  // with EAGAIN while the reader lags.
  const run = await runChild('process.stdout\nfor (let i = 0; i < 60000; i++) destination.write(`{"n":${i}}\\n`)\nprocess.exit(0)', true)
  t.equal(run.stdout.length, lines(60000).length)
  t.equal(run.stdout, lines(60000))
})
