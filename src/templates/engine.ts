/**
 * TemplateEngine: one nunjucks Environment (Jinja2 syntax, no autoescape, no loaders) with the
 * functions and filters of SPEC 5. compile() does all the work once at load: parse, check the
 * site rules, collect secret names, rewrite lookups to be strict, compile to JavaScript. A
 * request only calls render(), which sets the secrets it prefetched and runs the compiled code.
 */
import nunjucks from 'nunjucks'
import { GatewayError } from '../errors.js'
import { analyzeTemplate, type AnalysisScope, type TemplateFacts } from './analyze.js'
import { TemplateSyntaxError, toRenderError } from './errors.js'
import { CUSTOM_FILTERS, guardFilter, type FilterFunction } from './filters.js'
import { createFunctions, type RenderScope } from './functions.js'
import { KeyCache } from './jwt.js'
import { compileAst, isNunjucksError, parseTemplate, templateFromCode } from './nunjucks-internals.js'
import { makeLookupsStrict, STRICT_FILTERS } from './strict.js'
import { keepStringPrototypeFast } from './string-prototype.js'
import type { CompiledTemplate, TemplateContext, TemplateSite } from './types.js'

export interface TemplateEngineOptions {
  /** `variables:` of the config, read with get_variable(). */
  variables: Readonly<Record<string, string>>
  /** Milliseconds since the epoch, for now(). Injectable for tests. */
  clock?: () => number
}

export interface CompileOptions {
  /** Names the field in render errors, e.g. `connectors.weather.auth.methods.key.value`. Defaults to the site. */
  label?: string
}

/** A CompiledTemplate that also knows where it came from. */
export interface LabelledTemplate extends CompiledTemplate {
  readonly site: TemplateSite
  readonly label: string
}

// nunjucks has just turned String.prototype into a dictionary (string-prototype.ts).
keepStringPrototypeFast()

const TAG_OPENERS = ['{{', '{%', '{#']

export class TemplateEngine {
  readonly #env: nunjucks.Environment
  readonly #scope: RenderScope = { secrets: null }
  readonly #analysis: AnalysisScope
  readonly #clock: () => number
  /**
   * Parsed, checked and compiled templates by site, label and source. Connections of one
   * connector compile the same sources: 10,000 YAML connections spent 3.5 s of their start in
   * nunjucks compiling the same few templates again. Each compile() still returns a template
   * of its own, so the output memo stays per connection (a shared one would miss whenever
   * requests alternate between connections).
   */
  readonly #compiled = new Map<string, { facts: TemplateFacts, template: nunjucks.Template }>()

  constructor (options: TemplateEngineOptions) {
    const variables: Readonly<Record<string, string>> = Object.freeze(Object.assign(Object.create(null) as object, options.variables))
    // An empty loader list: no template can read a file (include/import/extends are also refused at compile).
    // dev: true keeps the original error as `cause` of nunjucks' TemplateError, which toRenderError() needs.
    const env = new nunjucks.Environment([], { autoescape: false, throwOnUndefined: true, dev: true })
    this.#clock = options.clock ?? Date.now
    const functions = createFunctions({ variables, clock: this.#clock, scope: this.#scope, keys: new KeyCache() })
    for (const [name, fn] of Object.entries(functions)) env.addGlobal(name, fn)

    const registry = env as unknown as { filters: Record<string, FilterFunction> }
    for (const [name, filter] of Object.entries({ ...registry.filters, ...CUSTOM_FILTERS })) env.addFilter(name, guardFilter(name, filter))
    // Taken before the lookup filters are added: templates cannot call those by name.
    const filters = new Set(Object.keys(registry.filters))
    for (const [name, filter] of Object.entries(STRICT_FILTERS)) env.addFilter(name, filter)

    this.#env = env
    this.#analysis = { variables: new Set(Object.keys(variables)), filters }
  }

  /** Throws TemplateSyntaxError (with 1-based line/column in `source`) for anything wrong at load. */
  compile (source: string, site: TemplateSite, options: CompileOptions = {}): LabelledTemplate {
    const label = options.label ?? site
    if (!TAG_OPENERS.some((opener) => source.includes(opener))) return new StaticTemplate(source, site, label)

    const key = `${site}\u0000${label}\u0000${source}`
    let compiled = this.#compiled.get(key)
    if (compiled === undefined) {
      const ast = nunjucksStep(source, () => parseTemplate(source))
      const facts = analyzeTemplate(ast, site, this.#analysis)
      makeLookupsStrict(ast)
      compiled = { facts, template: nunjucksStep(source, () => templateFromCode(compileAst(ast, label), this.#env, label)) }
      this.#compiled.set(key, compiled)
    }
    return new RenderedTemplate(source, site, label, compiled.facts, compiled.template, this.#scope, this.#clock)
  }
}

/** Unique secret names of a set of templates, sorted: what a request must fetch before rendering. */
export function collectSecrets (templates: Iterable<CompiledTemplate>): string[] {
  const names = new Set<string>()
  for (const template of templates) for (const name of template.secrets) names.add(name)
  return [...names].sort()
}

/**
 * A value that is data, never a template: stored connection credentials and anything a user
 * typed or an API received. `{{ get_secret('x') }}` in it stays those exact characters.
 */
export function literalTemplate (value: string, label: string): LabelledTemplate {
  return new StaticTemplate(value, 'auth', label)
}

class StaticTemplate implements LabelledTemplate {
  readonly isStatic = true
  readonly secrets: readonly string[] = []
  readonly readsUser = false
  readonly readsCredentials = false
  readonly isConstant = true

  constructor (readonly source: string, readonly site: TemplateSite, readonly label: string) {}

  render (): string {
    return this.source
  }
}

/** What a remembered output was rendered from; all of it must match for the output to be reused. */
interface Memo {
  readonly values: ReadonlyArray<string | undefined>
  /** Clock second of the render; -1 for constant templates, which ignore the clock. */
  readonly second: number
  readonly connection: TemplateContext['connection'] | undefined
  readonly output: string
}

class RenderedTemplate implements LabelledTemplate {
  readonly isStatic = false
  readonly secrets: readonly string[]
  readonly readsUser: boolean
  readonly readsCredentials: boolean
  readonly isConstant: boolean
  readonly #template: nunjucks.Template
  readonly #scope: RenderScope
  readonly #clock: () => number
  /**
   * Set for templates stable within a second (see TemplateFacts): the last output, kept while
   * the secret values, the connection's plain fields and, for a template calling now(), the
   * clock second are the same. Without now() the memo outlives the second: requests rotating
   * over many connections (each template's memo is per connection) no longer render each
   * connection's templates anew every second. Saves a nunjucks render (a new Context and Frame,
   * the compiled code and the lookup filters: the largest template cost in the api_key bench
   * profile, and the `now()` claims of the jwt one).
   */
  readonly #remembers: boolean
  readonly #readsClock: boolean
  #memo: Memo | undefined

  constructor (
    readonly source: string,
    readonly site: TemplateSite,
    readonly label: string,
    facts: TemplateFacts,
    template: nunjucks.Template,
    scope: RenderScope,
    clock: () => number,
  ) {
    this.secrets = Object.freeze([...facts.secrets])
    this.readsUser = facts.readsUser
    this.readsCredentials = facts.readsCredentials
    this.isConstant = facts.isConstant
    this.#remembers = facts.isConstant || facts.stableWithinSecond
    this.#readsClock = facts.readsClock
    this.#template = template
    this.#scope = scope
    this.#clock = clock
  }

  render (context: TemplateContext, secrets: ReadonlyMap<string, string>): string {
    if (this.readsUser && context.user === undefined) {
      throw new GatewayError('user_required', `a verified user is required: ${this.label} reads user claims`)
    }
    const second = this.#remembers && this.#readsClock ? Math.floor(this.#clock() / 1000) : -1
    if (this.#remembers) {
      const memo = this.#memo
      if (memo !== undefined && memo.second === second && this.#sameConnection(memo.connection, context.connection) &&
        this.#sameSecrets(memo.values, secrets)) return memo.output
    }
    // Rendering is synchronous, so the scope holds this render's secrets and nothing else's;
    // restoring the previous value keeps it right even if a render ever nests.
    const scope = this.#scope
    const previous = scope.secrets
    scope.secrets = secrets
    try {
      const output = this.#template.render(context)
      if (this.#remembers) {
        this.#memo = {
          values: this.secrets.map((name) => secrets.get(name)),
          second,
          connection: this.isConstant ? undefined : context.connection,
          output,
        }
      }
      return output
    } catch (err) {
      throw toRenderError(err, this.label)
    } finally {
      scope.secrets = previous
    }
  }

  #sameSecrets (values: ReadonlyArray<string | undefined>, secrets: ReadonlyMap<string, string>): boolean {
    const names = this.secrets
    for (let i = 0; i < names.length; i++) if (secrets.get(names[i]!) !== values[i]) return false
    return true
  }

  /**
   * The request context is new per request but its connection fields come from the compiled
   * connection: config is compared by identity, a new config object renders anew.
   */
  #sameConnection (then: TemplateContext['connection'] | undefined, now: TemplateContext['connection']): boolean {
    if (this.isConstant) return true
    return then !== undefined && then.id === now.id && then.connector === now.connector &&
      then.owner === now.owner && then.config === now.config
  }
}

/** Runs a nunjucks parse or compile step: whatever it throws is a problem of the template source. */
function nunjucksStep<T> (source: string, step: () => T): T {
  try {
    return step()
  } catch (err) {
    // The lexer throws plain Errors ("expected end of comment, got end of file"), without a position.
    if (!(err instanceof Error)) throw err
    const end = endOf(source)
    const line = isNunjucksError(err) ? err.lineno : undefined
    const column = isNunjucksError(err) ? err.colno : undefined
    throw new TemplateSyntaxError('syntax', err.message, line ?? end.line, line === undefined ? end.column : column ?? 1)
  }
}

/** Where nunjucks reports "unexpected end of template" errors that carry no position. */
function endOf (source: string): { line: number, column: number } {
  const lines = source.split('\n')
  return { line: lines.length, column: (lines[lines.length - 1] ?? '').length + 1 }
}
