/**
 * Compile-time facts and rules for one template, read off its AST: which secrets it needs,
 * whether it reads `user` or `connection.credentials`, whether it is constant, and the site rules
 * of SPEC 5. Every name must resolve at load time, so a typo fails `latchkey validate` instead
 * of a request.
 */
import { TemplateSyntaxError, type TemplateSyntaxErrorCode } from './errors.js'
import type { NjNode } from './nunjucks-internals.js'
import type { TemplateSite } from './types.js'
import { walk } from './walk.js'

/** Top-level names of TemplateContext. */
export const CONTEXT_KEYS: ReadonlySet<string> = new Set(['connection', 'user', 'caller', 'request', 'params', 'response'])

/**
 * Our functions, and whether a call keeps the output constant. now() is the one function whose
 * output only moves with the clock; see `perSecond`.
 */
const FUNCTIONS: Readonly<Record<string, { constant: boolean }>> = {
  get_secret: { constant: true },
  get_variable: { constant: true },
  now: { constant: false },
  uuid: { constant: false },
  jwt_encode: { constant: false },
}
/** nunjucks' own globals. */
const NUNJUCKS_GLOBALS: Readonly<Record<string, { constant: boolean }>> = {
  range: { constant: true },
  cycler: { constant: false },
  joiner: { constant: false },
}
const IMPURE_FILTERS = new Set(['random'])
/** Sites that must not see a credential: they end up in URLs, logs or a browser. */
const NO_CREDENTIAL_SITES: ReadonlySet<TemplateSite> = new Set(['base_url', 'path', 'response'])
const CALLER_SITE_FUNCTIONS = new Set(['get_secret', 'get_variable', 'now'])
const CALLER_SITE_RULE = 'caller templates may only use get_secret(), get_variable(), now() and literals'
const SECRET_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/

export interface AnalysisScope {
  variables: ReadonlySet<string>
  /** Filter names a template may use. */
  filters: ReadonlySet<string>
}

export interface TemplateFacts {
  secrets: readonly string[]
  readsUser: boolean
  readsCredentials: boolean
  isConstant: boolean
  /**
   * The output depends on nothing but secrets, variables, whole-second now() calls and plain
   * members of `connection` (id, connector, owner, config): for the same values of those within
   * one clock second, it is the same string. Implied by isConstant.
   */
  stableWithinSecond: boolean
  /** Calls now(): a stable output holds within its clock second only. */
  readsClock: boolean
}

export function analyzeTemplate (root: NjNode, site: TemplateSite, scope: AnalysisScope): TemplateFacts {
  const bound = collectBindings(root)
  const secrets = new Set<string>()
  let readsUser = false
  let readsCredentials = false
  let isConstant = true
  let stableWithinSecond = true
  let readsClock = false
  const varies = (): void => { isConstant = false; stableWithinSecond = false }

  walk(root, {
    reference (node, name, ref) {
      if (CONTEXT_KEYS.has(name)) {
        isConstant = false
        if (name !== 'connection' || !isPlainMember(ref.member)) stableWithinSecond = false
        if (site === 'caller') fail('not_allowed_here', CALLER_SITE_RULE, node)
        if (name === 'response' && site !== 'response') fail('not_allowed_here', 'response is only available in response templates', node)
        if (name === 'user') readsUser = true
        if (name === 'connection' && !isPlainMember(ref.member)) {
          // Bare `connection` or `connection[expr]` can reach the credentials as well.
          readsCredentials = true
          if (NO_CREDENTIAL_SITES.has(site)) fail('not_allowed_here', `connection.credentials is not allowed in ${site}`, ref.member ?? node)
        }
      } else if (bound.has(name) || name === 'loop') {
        varies()
      } else if (name in FUNCTIONS) {
        fail('invalid_argument', `${name} can only be called directly, as ${name}(...)`, node)
      } else if (name in NUNJUCKS_GLOBALS) {
        varies()
      } else {
        fail('unknown_name', `unknown variable '${name}'`, node)
      }
      return undefined
    },
    call (node, name) {
      const nameNode = node.name as NjNode
      if (site === 'caller' && !CALLER_SITE_FUNCTIONS.has(name)) fail('not_allowed_here', CALLER_SITE_RULE, nameNode)
      const known = FUNCTIONS[name] ?? NUNJUCKS_GLOBALS[name]
      if (known === undefined) {
        if (!bound.has(name)) fail('unknown_name', `unknown function '${name}'`, nameNode)
        varies() // a macro
        return
      }
      const args = (node.args as NjNode).children as NjNode[]
      if (name === 'now') {
        isConstant = false
        readsClock = true
        // now(0.5) moves at half seconds; only whole-second offsets keep a second's output.
        if (!wholeSecondsOffset(args)) stableWithinSecond = false
      } else if (!known.constant) {
        varies()
      }
      if (name === 'get_secret') {
        if (NO_CREDENTIAL_SITES.has(site)) fail('not_allowed_here', `get_secret is not allowed in ${site}`, nameNode)
        const secret = stringLiteral(args)
        if (secret === undefined) fail('invalid_argument', 'get_secret() takes a string literal', args[0] ?? nameNode)
        else if (!SECRET_NAME.test(secret)) fail('invalid_argument', `invalid secret name '${secret}'`, args[0] ?? nameNode)
        else secrets.add(secret)
      } else if (name === 'get_variable') {
        const variable = stringLiteral(args)
        if (variable !== undefined && !scope.variables.has(variable)) {
          fail('unknown_name', `unknown variable '${variable}' in get_variable(): not in 'variables'`, args[0] ?? nameNode)
        }
      }
    },
    methodCall () {
      varies()
    },
    filter (node, name) {
      if (!scope.filters.has(name)) fail('unknown_name', `unknown filter '${name}'`, node.name as NjNode)
      if (IMPURE_FILTERS.has(name)) varies()
    },
    unsupported (node, tag) {
      fail('unsupported', `{% ${tag} %} is not supported: templates cannot load or call other templates`, node)
    },
  })

  return { secrets: [...secrets].sort(), readsUser, readsCredentials, isConstant, stableWithinSecond, readsClock }
}

/** `now()`, `now(3600)`, `now(-60)`: no argument or one integer literal. */
function wholeSecondsOffset (args: NjNode[]): boolean {
  if (args.length === 0) return true
  if (args.length !== 1) return false
  const arg = args[0]!
  const literal = arg.typename === 'Neg' || arg.typename === 'Pos' ? arg.target as NjNode | undefined : arg
  return literal?.typename === 'Literal' && Number.isInteger(literal.value)
}

/** Names bound by set, for and macro. Context keys and function names cannot be rebound. */
function collectBindings (root: NjNode): Set<string> {
  const bound = new Set<string>()
  walk(root, {
    binding (node, name) {
      if (CONTEXT_KEYS.has(name) || name in FUNCTIONS) fail('not_allowed_here', `cannot assign to '${name}': the name is reserved`, node)
      bound.add(name)
    },
  })
  return bound
}

/** `connection.id`, `connection.config`: a literal member name other than `credentials`. */
function isPlainMember (member: NjNode | undefined): boolean {
  return member?.typename === 'Literal' && typeof member.value === 'string' && member.value !== 'credentials'
}

/** The value of a sole string-literal argument, else undefined (keyword args included). */
function stringLiteral (args: NjNode[]): string | undefined {
  const only = args.length === 1 ? args[0] : undefined
  return only?.typename === 'Literal' && typeof only.value === 'string' ? only.value : undefined
}

function fail (code: TemplateSyntaxErrorCode, message: string, node: NjNode): never {
  throw new TemplateSyntaxError(code, message, node.lineno + 1, node.colno + 1)
}
