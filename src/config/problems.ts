/** A configuration problem, printed by `latchkey validate` as `FILE:LINE:COL: message`. */
export interface ConfigProblem {
  file: string
  line: number
  column: number
  message: string
}

export function formatProblem (p: ConfigProblem): string {
  return `${p.file}:${p.line}:${p.column}: ${p.message}`
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError'
  readonly problems: readonly ConfigProblem[]

  constructor (problems: readonly ConfigProblem[]) {
    super(`invalid configuration:\n${problems.map(formatProblem).join('\n')}`)
    this.problems = problems
  }
}

/** Dotted form of a config path for messages: `connectors.weather.auth.methods[0]`. */
export function dotted (path: readonly (string | number)[]): string {
  return path.map((seg, i) => typeof seg === 'number' ? `[${seg}]` : (i === 0 ? seg : `.${seg}`)).join('')
}
