/**
 * Where log lines go: stdout, in batches. Lines collect in one string until it holds
 * `batchChars`, then go out in one synchronous write(2); a line logged in a quiet moment goes
 * out at most `maxDelayMs` later, and whatever is left when the process exits is written then.
 *
 * Why not pino's own destination (sonic-boom): at `info` every request writes an access line,
 * and sonic-boom measures the byte length of its whole pending buffer on every line (4.5 k of
 * the line's ~17 k instructions, callgrind) and hands each 4 KiB flush to the libuv thread
 * pool, whose wake-ups cost more CPU than the write itself. Here a line costs one string
 * append and a length check; a write carries ~80 access lines and needs no other thread.
 *
 * The write is synchronous, as pino's default destination is: when stdout is a pipe whose
 * reader stops reading, logging waits for it instead of buffering without bound. A SIGKILL
 * loses at most `maxDelayMs` of lines.
 */
import { writeSync } from 'node:fs'
import type { DestinationStream } from 'pino'

export interface BatchingOptions {
  /** Lines are written once the batch holds this many characters. */
  batchChars?: number
  /** The longest a line waits for its batch. */
  maxDelayMs?: number
}

/** How long to wait before trying again when the fd is a full non-blocking pipe. */
const BUSY_RETRY_MS = 1

export class BatchingDestination implements DestinationStream {
  readonly #fd: number
  readonly #batchChars: number
  readonly #maxDelayMs: number
  #batch = ''
  #timer: NodeJS.Timeout | undefined
  readonly #flushLater = (): void => {
    this.#timer = undefined
    this.flushSync()
  }

  constructor (fd: number, { batchChars = 16_384, maxDelayMs = 100 }: BatchingOptions = {}) {
    this.#fd = fd
    this.#batchChars = batchChars
    this.#maxDelayMs = maxDelayMs
  }

  write (line: string): void {
    // `+=` makes a rope: the batch is flattened once, when it is written.
    this.#batch += line
    if (this.#batch.length >= this.#batchChars) this.flushSync()
    else this.#timer ??= setTimeout(this.#flushLater, this.#maxDelayMs).unref()
  }

  /** Writes the batch now. */
  flushSync (): void {
    if (this.#timer !== undefined) {
      clearTimeout(this.#timer)
      this.#timer = undefined
    }
    if (this.#batch === '') return
    const bytes = Buffer.from(this.#batch)
    this.#batch = ''
    writeAll(this.#fd, bytes)
  }

  /** pino's `logger.flush(cb)`. */
  flush (cb?: (err?: Error) => void): void {
    this.flushSync()
    cb?.()
  }
}

const sleepCell = new Int32Array(new SharedArrayBuffer(4))

/**
 * The whole buffer, whatever the fd is: a non-blocking pipe (node makes stdout one once
 * `process.stdout` is touched) takes part of it or answers EAGAIN while it is full. Any other
 * error drops the batch: a gateway whose stdout was closed keeps serving.
 */
function writeAll (fd: number, bytes: Buffer): void {
  let offset = 0
  while (offset < bytes.length) {
    try {
      offset += writeSync(fd, bytes, offset)
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EAGAIN') return
      Atomics.wait(sleepCell, 0, 0, BUSY_RETRY_MS)
    }
  }
}

let stdout: BatchingDestination | undefined

/** The process's one stdout destination, flushed when the process exits. */
export function stdoutDestination (): BatchingDestination {
  if (stdout === undefined) {
    const destination = new BatchingDestination(1)
    process.once('exit', () => destination.flushSync())
    stdout = destination
  }
  return stdout
}
