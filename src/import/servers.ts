/**
 * `base_url` from the document's first usable server (SPEC 12). Server variables become inputs
 * read as `{{ connection.config.<name> }}` (with the document's default as the template's
 * default); a host that depends on one gets `allowed_hosts`, so a connection's values can only
 * point the connector at the hosts the document describes.
 */
import type { InputConfig } from '../config/schema.js'
import type { ServerEntry, ServerVariable } from './document.js'
import { oneLine, templateLiteral } from './literal.js'
import { identifierFrom, type UniqueNames } from './names.js'

export interface BaseUrl {
  base_url: string
  allowed_hosts?: string[]
  inputs: InputConfig[]
}

type Warn = (message: string) => void

/** A variable as it appears in the URL template: marker characters no URL text contains. */
const marker = (i: number) => `\u0001${i}\u0002`
const MARKER = /\u0001(\d+)\u0002/g
const HAS_MARKER = /\u0001\d+\u0002/
const URL_SHAPE = /^([^:/?#]+):\/\/([^/?#]*)([^?#]*)$/
/** Enumerated hosts are listed one by one up to this many; beyond, a glob. */
const MAX_LISTED_HOSTS = 32
/** A default that can sit in a template string literal as it is. */
const SAFE_DEFAULT = /^[A-Za-z0-9._~:/-]*$/

const PATTERNS = {
  label: ['^[A-Za-z0-9-]+$', 'letters, digits and dashes'],
  host: ['^[A-Za-z0-9-]+(\\.[A-Za-z0-9-]+)*$', 'a host name'],
  port: ['^[0-9]{1,5}$', 'a port number'],
  path: ['^[A-Za-z0-9_~-][A-Za-z0-9._~-]*(/[A-Za-z0-9_~-][A-Za-z0-9._~-]*)*$', 'path segments of letters, digits and . _ ~ -'],
} as const

export function baseUrlFrom (servers: readonly ServerEntry[], inputNames: UniqueNames, warn: Warn): BaseUrl {
  let relativePath: string | undefined
  for (const server of servers) {
    const result = fromServer(server, inputNames)
    if (typeof result !== 'string') return result
    if (result === RELATIVE) {
      relativePath ??= server.url
      continue
    }
    warn(`server ${JSON.stringify(server.url)} skipped: ${result}`)
  }
  // No absolute server: the connection supplies the origin, and the operator the hosts.
  const name = inputNames.claim('base_url')
  warn(`the document names no absolute server URL: connections supply '${name}', and allowed_hosts (empty: every host refused) must list the hosts it may name`)
  const path = relativePath !== undefined && /^\/[A-Za-z0-9._~/-]*$/.test(relativePath) ? relativePath.replace(/\/+$/, '') : ''
  return {
    base_url: `{{ connection.config.${name} }}${path}`,
    allowed_hosts: [],
    inputs: [{ name, label: 'Base URL', type: 'url', required: true, help: 'The API origin, such as https://api.example.com' }],
  }
}

const RELATIVE = 'relative'

interface Variable {
  name: string
  spec: ServerVariable
  input: string
  where: keyof typeof PATTERNS | 'scheme'
}

/** The server as a base URL, or why it cannot be one. */
function fromServer (server: ServerEntry, inputNames: UniqueNames): BaseUrl | string {
  // Split `https://{region}.example.com/{version}` into literal text and variables.
  const used: string[] = []
  let invalid: string | undefined
  const marked = server.url.replace(/\{([^{}]*)\}/g, (_whole, name: string) => {
    if (server.variables[name] === undefined) invalid ??= `{${name}} is not one of its variables`
    let i = used.indexOf(name)
    if (i === -1) i = used.push(name) - 1
    return marker(i)
  })
  if (invalid !== undefined) return invalid
  if (/[{}]/.test(marked)) return 'unbalanced { or }'
  if (/[\u0000-\u0020\u007f\\]/.test(marked.replace(MARKER, ''))) return 'it has spaces, control characters or backslashes'

  const shape = URL_SHAPE.exec(marked.replace(/\/+$/, ''))
  if (shape === null) return /^[a-z][a-z0-9+.-]*:/i.test(marked) ? 'not an http(s) URL without query or fragment' : RELATIVE
  const [, scheme, authority, path] = shape as unknown as [string, string, string, string]

  const where = new Map<number, Variable['where']>()
  const place = (part: string, kind: Variable['where']) => {
    for (const m of part.matchAll(MARKER)) where.set(Number(m[1]), kind)
  }
  // A variable scheme is fixed to its default: the scheme is not a connection's choice.
  let fixedScheme = scheme.toLowerCase()
  if (HAS_MARKER.test(scheme)) {
    const only = /^\u0001(\d+)\u0002$/.exec(scheme)
    const value = only === null ? undefined : server.variables[used[Number(only[1])]!]?.default
    if (value !== 'http' && value !== 'https') return 'its scheme variable has no http or https default'
    fixedScheme = value
  }
  if (fixedScheme !== 'http' && fixedScheme !== 'https') return 'not an http(s) URL'
  if (authority.includes('@')) return 'it has user information'
  if (authority.startsWith('[')) {
    if (HAS_MARKER.test(authority)) return 'a variable inside an IPv6 address'
  }
  const portAt = authority.startsWith('[') ? authority.indexOf(':', authority.indexOf(']')) : authority.lastIndexOf(':')
  const host = portAt === -1 ? authority : authority.slice(0, portAt)
  const port = portAt === -1 ? undefined : authority.slice(portAt + 1)
  if (port !== undefined && !/^([0-9]{1,5}|\u0001\d+\u0002)$/.test(port)) return 'its port is neither a number nor one variable'
  if (host === '') return 'it has no host'
  if (!authority.startsWith('[') && !/^[A-Za-z0-9.-]*$/.test(host.replace(MARKER, ''))) return 'its host has characters a host name has not'
  place(host, 'label')
  for (const label of host.split('.')) {
    const only = /^\u0001(\d+)\u0002$/.exec(label)
    if (only !== null && valuesOf(server.variables[used[Number(only[1])]!]!).some((v) => v.includes('.'))) where.set(Number(only[1]), 'host')
  }
  if (port !== undefined) place(port, 'port')
  place(path, 'path')

  const variables: Variable[] = used.map((name, i) => ({
    name,
    spec: server.variables[name]!,
    input: where.get(i) === undefined ? '' : inputNames.claim(identifierFrom(name, 'server')),
    where: where.get(i) ?? 'scheme',
  }))
  const sample = (text: string) => text.replace(MARKER, (_m, i: string) => sampleValue(variables[Number(i)]!.spec))
  try {
    const url = new URL(`${fixedScheme}://${sample(authority)}${sample(path)}`)
    if (url.search !== '' || url.hash !== '') return 'it has a query or fragment'
  } catch {
    return 'its defaults do not make a URL'
  }

  const render = (text: string) => text.split(MARKER).map((piece, k) => k % 2 === 0 ? templateLiteral(piece) : reference(variables[Number(piece)]!)).join('')
  const templated = variables.some((v) => v.where !== 'scheme')
  // Any templated base URL is checked against allowed_hosts (none admits none), even when only
  // its port or path varies.
  const hosts = !templated ? undefined : HAS_MARKER.test(host) ? allowedHosts(host, variables) : [host.toLowerCase()]
  return {
    base_url: `${fixedScheme}://${render(authority)}${render(path.replace(/\/+$/, ''))}`,
    ...(hosts === undefined ? {} : { allowed_hosts: hosts }),
    inputs: variables.filter((v) => v.where !== 'scheme').map(inputOf),
  }
}

function valuesOf (spec: ServerVariable): string[] {
  return [...(spec.default === undefined ? [] : [spec.default]), ...(spec.enum ?? [])]
}

function sampleValue (spec: ServerVariable): string {
  return spec.default ?? spec.enum?.[0] ?? 'x'
}

function reference (variable: Variable): string {
  if (variable.where === 'scheme') return ''
  const fallback = variable.spec.default
  return fallback !== undefined && fallback !== '' && SAFE_DEFAULT.test(fallback)
    ? `{{ connection.config.${variable.input} | default('${fallback}') }}`
    : `{{ connection.config.${variable.input} }}`
}

function inputOf (variable: Variable): InputConfig {
  const { spec } = variable
  const fallback = spec.default !== undefined && spec.default !== '' && SAFE_DEFAULT.test(spec.default) ? spec.default : undefined
  const input: InputConfig = {
    name: variable.input,
    label: variable.name,
    type: spec.enum === undefined ? 'text' : 'select',
    required: fallback === undefined,
    ...(fallback === undefined ? {} : { default: fallback }),
    ...(spec.enum === undefined ? {} : { options: spec.enum }),
    ...(spec.description === undefined ? {} : { help: oneLine(spec.description, 200) }),
  }
  if (spec.enum === undefined && variable.where !== 'scheme') {
    const [pattern, patternError] = PATTERNS[variable.where]
    // A pattern the document's own default fails would refuse the default: leave it out then.
    if (fallback === undefined || new RegExp(pattern).test(fallback)) {
      input.pattern = pattern
      input.pattern_error = patternError
    }
  }
  return input
}

/**
 * The hosts a templated host may take: each one listed when every host variable has an enum
 * (and there are few), else a glob with `*` for a variable inside a label (`**` for one that
 * spans labels). A glob with fewer than two literal labels (`*.com`, `*`) would admit far more
 * than the document means: then only the default host is admitted.
 */
function allowedHosts (host: string, variables: readonly Variable[]): string[] {
  const inHost = [...new Set([...host.matchAll(MARKER)].map((m) => Number(m[1])))]
  const renderWith = (values: Map<number, string>) => host.replace(MARKER, (_m, i: string) => values.get(Number(i)) ?? '').toLowerCase()
  const defaults = new Map(inHost.map((i) => [i, sampleValue(variables[i]!.spec)]))
  const defaultHost = renderWith(defaults)

  const combos = inHost.reduce((n, i) => n * (variables[i]!.spec.enum?.length ?? Infinity), 1)
  if (combos <= MAX_LISTED_HOSTS) {
    let hosts: Map<number, string>[] = [new Map()]
    for (const i of inHost) hosts = hosts.flatMap((partial) => variables[i]!.spec.enum!.map((value) => new Map([...partial, [i, value]])))
    return [...new Set([defaultHost, ...hosts.map(renderWith)])]
  }
  const labels = host.split('.').map((label) => {
    const only = /^\u0001(\d+)\u0002$/.exec(label)
    if (only !== null && variables[Number(only[1])]!.where === 'host') return '**'
    return label.replace(MARKER, '*').toLowerCase()
  })
  const literal = labels.filter((label) => !label.includes('*')).length
  if (literal < 2) return [defaultHost]
  return [...new Set([labels.join('.'), defaultHost])]
}
