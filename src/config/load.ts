/**
 * Load a config file: YAML with positions -> env substitution -> schema -> semantic checks ->
 * defaults -> deep freeze. Every problem is collected and reported with its line and column;
 * a config with any problem is never used.
 */
import { readFile } from 'node:fs/promises'
import { checkSchema } from './schema-problems.js'
import { checkSemantics, type TemplateCompiler } from './semantic.js'
import { resolveConfig, variablesOf } from './resolve.js'
import { ConfigError, dotted, type ConfigProblem } from './problems.js'
import { parseYamlSource, type YamlSource } from './yaml-source.js'
import type { LoadedConfig } from './model.js'
import type { RawConfig } from './schema.js'

export interface LoadOptions {
  env?: NodeJS.ProcessEnv
  /** Relative store paths resolve against this folder. */
  cwd?: string
  /** Templates compile against the file's own `variables`, known once the schema passed. */
  compilerFor: (variables: Readonly<Record<string, string>>) => TemplateCompiler
}

export function loadConfigText (file: string, text: string, options: LoadOptions): LoadedConfig {
  const source = parseYamlSource(file, text, options.env ?? process.env)
  try {
    return loadSource(file, source, options)
  } catch (err) {
    // A problem found on js-yaml's value is found again on `yaml`'s, the reference: every
    // problem is then reported as `yaml` places it, whichever parser read the file first.
    if (!(err instanceof ConfigError) || source.positioned() === source) throw err
    return loadSource(file, source.positioned(), options)
  }
}

function loadSource (file: string, source: YamlSource, options: LoadOptions): LoadedConfig {
  if (source.problems.length > 0) throw new ConfigError(source.problems)
  const value = source.value ?? {}
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw new ConfigError([{ file, line: 1, column: 1, message: 'expected a mapping at the top level' }])
  }
  const schemaProblems = checkSchema(file, value, source)
  const raw = value as RawConfig
  const semanticProblems = (): ConfigProblem[] => checkSemantics(raw, options.compilerFor(variablesOf(raw))).map((p) => {
    const where = dotted(p.path)
    return { file, ...source.locate(p.path, p.at), message: where === '' ? p.message : `${where}: ${p.message}` }
  })
  if (schemaProblems.length > 0) {
    // `validate` reports every problem at once, so the cross-reference and template checks run
    // on a file whose shape is wrong too. They were written for a valid shape: where one trips
    // over a value of the wrong type, the schema problem already says what to fix.
    let more: ConfigProblem[] = []
    try {
      more = semanticProblems()
    } catch {}
    const seen = new Set(schemaProblems.map((p) => `${p.line}:${p.column}`))
    throw new ConfigError(sortProblems([...schemaProblems, ...more.filter((p) => !seen.has(`${p.line}:${p.column}`))]))
  }
  const problems = semanticProblems()
  if (problems.length > 0) throw new ConfigError(sortProblems(problems))
  return deepFreeze(resolveConfig(file, raw, options.cwd ?? process.cwd()))
}

export async function loadConfigFile (file: string, options: LoadOptions): Promise<LoadedConfig> {
  let text: string
  try {
    text = await readFile(file, 'utf8')
  } catch (err) {
    const reason = (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'file not found' : `cannot read: ${(err as Error).message}`
    throw new ConfigError([{ file, line: 1, column: 1, message: reason }])
  }
  return loadConfigText(file, text, options)
}

function sortProblems (problems: ConfigProblem[]): ConfigProblem[] {
  return [...problems].sort((a, b) => a.line - b.line || a.column - b.column)
}

export function deepFreeze<T> (value: T): T {
  if (value instanceof Map) {
    for (const v of value.values()) deepFreeze(v)
  } else if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    for (const v of Object.values(value)) deepFreeze(v)
  }
  return typeof value === 'object' && value !== null ? Object.freeze(value) : value
}
