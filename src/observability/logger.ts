/**
 * The process logger. Request logs are built from an allow-list of fields (see `request-log`),
 * so credentials never reach a log line by construction; the redaction paths below are the
 * second line of defence for objects that carry headers, compiled once by pino.
 */
import { pino, type Bindings, type ChildLoggerOptions, type DestinationStream, type Logger, type LoggerOptions } from 'pino'
import { stdoutDestination } from './log-destination.js'

export type { Logger } from 'pino'

// Explicit paths: pino compiles them once, and a log call without these keys pays nothing.
export const REDACT_PATHS: readonly string[] = [
  'headers.authorization', 'headers["x-latchkey-key"]', 'headers.cookie', 'headers["set-cookie"]',
  'headers["proxy-authorization"]',
  'req.headers.authorization', 'req.headers["x-latchkey-key"]', 'req.headers.cookie',
  'req.headers["proxy-authorization"]',
  'res.headers["set-cookie"]',
  'secret', 'value', 'token', 'access_token', 'refresh_token', 'client_secret', 'private_key', 'password',
  'credentials', 'key',
]

export interface LoggerSettings {
  level: LoggerOptions['level']
  destination?: DestinationStream
}

export function createLogger ({ level, destination }: LoggerSettings): Logger {
  const options: LoggerOptions = {
    level,
    base: { service: 'latchkey' },
    redact: { paths: [...REDACT_PATHS], censor: '[redacted]' },
    serializers: { err: serializeError },
    timestamp: isoTimestamp(),
  }
  return pino(options, destination ?? stdoutDestination())
}

/**
 * pino's `stdTimeFunctions.isoTime` (`,"time":"2026-12-02T04:24:26.222Z"`) with the part up to the
 * second formatted once per second. `Date.prototype.toISOString` formats through V8's printf:
 * ~4 k instructions per access line at info, a sixth of that line's whole cost (callgrind).
 */
export function isoTimestamp (now: () => number = Date.now): () => string {
  let second = Number.NaN
  let prefix = ''
  return () => {
    const ms = now()
    const s = Math.floor(ms / 1000)
    if (s !== second) {
      second = s
      // Everything but the milliseconds and the Z: "2026-12-02T04:24:26." (any year's form).
      prefix = `,"time":"${new Date(s * 1000).toISOString().slice(0, -4)}`
    }
    const rest = ms - s * 1000
    return `${prefix}${rest < 10 ? '00' : rest < 100 ? '0' : ''}${rest}Z"`
  }
}

/**
 * Errors are logged by type, code and message only: latchkey's own messages are written to be
 * safe, and foreign errors (undici, ioredis) are cut to their first line so a payload echoed
 * into a message does not travel with it.
 */
export function serializeError (err: unknown): Record<string, unknown> {
  if (!(err instanceof Error)) return { message: String(err).split('\n', 1)[0] }
  const code = (err as { code?: unknown }).code
  return {
    type: err.name,
    ...(code === undefined ? {} : { code }),
    message: err.message.split('\n', 1)[0],
    stack: err.stack?.split('\n').slice(1, 8).join('\n'),
  }
}

type Level = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace'
type LogArgs = [unknown, ...unknown[]]

/**
 * A request's logger (fastify's child with the `reqId` binding), made on the first call at an
 * enabled level. pino's child() serialises its bindings at once, and fastify makes one per
 * request: at `warn`, where a request normally logs nothing, that was ~1.5% of the api_key bench
 * profile. Lines, when there are any, are exactly the child's. Route-level options (level,
 * serializers) get a real child at once.
 */
export class LazyChildLogger {
  readonly #parent: Logger
  readonly #bindings: Bindings
  #child: Logger | undefined

  constructor (parent: Logger, bindings: Bindings) {
    this.#parent = parent
    this.#bindings = bindings
  }

  get level (): string { return this.#child?.level ?? this.#parent.level }
  set level (level: string) { this.#logger().level = level }

  fatal (...args: LogArgs): void { this.#log('fatal', args) }
  error (...args: LogArgs): void { this.#log('error', args) }
  warn (...args: LogArgs): void { this.#log('warn', args) }
  info (...args: LogArgs): void { this.#log('info', args) }
  debug (...args: LogArgs): void { this.#log('debug', args) }
  trace (...args: LogArgs): void { this.#log('trace', args) }
  silent (): void {}

  child (bindings: Bindings, options?: ChildLoggerOptions): Logger {
    return this.#logger().child(bindings, options)
  }

  #log (level: Level, args: LogArgs): void {
    if (this.#child === undefined && !this.#parent.isLevelEnabled(level)) return
    ;(this.#logger()[level] as (...a: LogArgs) => void)(...args)
  }

  #logger (): Logger {
    return (this.#child ??= this.#parent.child(this.#bindings))
  }
}

/** fastify's `childLoggerFactory`. */
export function lazyChildLoggerFactory (logger: Logger, bindings: Bindings, options: ChildLoggerOptions): Logger | LazyChildLogger {
  if (options.level !== undefined || options.serializers !== undefined) return logger.child(bindings, options)
  return new LazyChildLogger(logger, bindings)
}
