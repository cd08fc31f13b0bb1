/**
 * Typed access to the parts of nunjucks 3.2.x that @types/nunjucks does not declare: the parser,
 * the AST node classes, the compiler and the transformer. We compile from our own checked and
 * rewritten AST (see strict.ts), so we need them. Pinned to nunjucks ^3.2.4; the unit tests
 * exercise every piece used here, so an incompatible upgrade fails loudly.
 */
import { createRequire } from 'node:module'
import nunjucks from 'nunjucks'

/** An AST node. `fields` names the properties holding children (nodes, arrays or plain values). */
export interface NjNode {
  readonly typename: string
  readonly fields: readonly string[]
  /** 0-based, as the lexer counts. */
  lineno: number
  colno: number
  [field: string]: unknown
}

type NodeClass = new (lineno: number, colno: number, ...fields: unknown[]) => NjNode

interface NodeClasses {
  Node: NodeClass
  Literal: NodeClass
  Symbol: NodeClass
  NodeList: NodeClass
  Filter: NodeClass
}

interface Compiler {
  compile (node: NjNode): void
  getCode (): string
}

interface Internals {
  parser: { parse (src: string, extensions?: unknown[], opts?: object): NjNode }
  nodes: NodeClasses
  compiler: { Compiler: new (templateName: string, throwOnUndefined: boolean) => Compiler }
  lib: { TemplateError: new (message: string, lineno?: number, colno?: number) => Error }
}

/** The shape of a nunjucks TemplateError: positions are 1-based once nunjucks has set them. */
export interface NjTemplateError extends Error {
  lineno?: number
  colno?: number
  cause?: unknown
}

const internals = nunjucks as unknown as Internals
const require = createRequire(import.meta.url)
const transformer = require('nunjucks/src/transformer') as { transform (ast: NjNode, asyncFilters: string[]): NjNode }

export const nodes = internals.nodes

export function isNode (value: unknown): value is NjNode {
  return value instanceof nodes.Node
}

export function parseTemplate (source: string): NjNode {
  return internals.parser.parse(source)
}

export function isNunjucksError (err: unknown): err is NjTemplateError {
  return err instanceof internals.lib.TemplateError
}

/**
 * Compiles a checked AST to the `{ root, b_* }` module nunjucks' Template accepts as
 * `{ type: 'code', obj }`. Same steps as nunjucks.compiler.compile minus the parse.
 */
export function compileAst (ast: NjNode, templateName: string): Record<string, unknown> {
  const compiler = new internals.compiler.Compiler(templateName, true)
  compiler.compile(transformer.transform(ast, []))
  // eslint-disable-next-line no-new-func -- this is how nunjucks itself loads compiled code
  return new Function(compiler.getCode())() as Record<string, unknown>
}

/** A Template built from compileAst() output, compiled eagerly. */
export function templateFromCode (code: Record<string, unknown>, env: nunjucks.Environment, name: string): nunjucks.Template {
  const Template = nunjucks.Template as unknown as new (src: object, env: nunjucks.Environment, path: string, eager: boolean) => nunjucks.Template
  return new Template({ type: 'code', obj: code }, env, name, true)
}
