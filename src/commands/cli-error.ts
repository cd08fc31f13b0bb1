/**
 * A failure the CLI reports as one line on stderr and an exit code, without a stack trace.
 * Commands throw it; the CLI main catches it (next to commander's CommanderError).
 */
export class CliError extends Error {
  override readonly name = 'CliError'
  readonly exitCode: number

  constructor (message: string, options: { exitCode?: number, cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause })
    this.exitCode = options.exitCode ?? 1
  }
}

export function isCliError (err: unknown): err is CliError {
  return err instanceof CliError
}
