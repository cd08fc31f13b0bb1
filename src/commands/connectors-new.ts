/**
 * `connectors new "Display Name" [--auth api_key|bearer|basic|oauth2 ...] [--domain D] [--slug S]
 * [-c FILE]`: adds a connector skeleton (src/catalog/skeleton.ts) under `connectors:` in the
 * config file and prints its slug. The file is edited through the yaml package's Document API,
 * so the user's comments, key order and layout stay as they were; it is written atomically and
 * never replaces a connector that exists.
 */
import { randomBytes } from 'node:crypto'
import { readFile, rename, rm, stat, writeFile } from 'node:fs/promises'
import path from 'node:path'
import type { Command } from 'commander'
import type { Document, Node } from 'yaml'
import { yamlLib } from '../lazy-libs.js'
import { BUILTIN_CONNECTORS } from '../catalog/builtin.js'
import { connectorSkeleton, isSkeletonAuthKind, isValidSlug, normalizeDomain, slugFromName, SKELETON_AUTH_KINDS, uniqueSlug, type SkeletonAuthKind } from '../catalog/skeleton.js'
import type { ConnectorConfig } from '../config/schema.js'
import { CliError } from './cli-error.js'

/** The config file when neither -c nor LATCHKEY_CONFIG names one (as for every command, SPEC 2). */
const DEFAULT_CONFIG = 'config/latchkey.yaml'

export interface ConnectorsNewDeps {
  out: (line: string) => void
}

interface NewOptions { auth?: string[], domain?: string, slug?: string, config?: string }

export function registerConnectorsNew (connectors: Command, deps: ConnectorsNewDeps): void {
  connectors.command('new')
    .description('add a connector skeleton to the config file and print its slug')
    .argument('<name>', 'display name, such as "Acme CRM"')
    .option('--auth <kind...>', `auth methods: ${SKELETON_AUTH_KINDS.join(', ')} (default api_key; several allowed)`)
    .option('--domain <domain>', 'the provider\'s domain, such as acme.com')
    .option('--slug <slug>', 'the slug to use instead of one made from the name')
    .option('-c, --config <file>', 'config file')
    .action(async (name: string, _opts: NewOptions, command: Command) => {
      const opts = command.optsWithGlobals<NewOptions>()
      const file = opts.config ?? process.env.LATCHKEY_CONFIG ?? DEFAULT_CONFIG
      const slug = await addConnectorSkeleton(file, name, opts)
      deps.out(slug)
    })
}

/** Adds the skeleton to `file` (created when missing) and returns its slug. */
export async function addConnectorSkeleton (file: string, name: string, opts: Omit<NewOptions, 'config'>): Promise<string> {
  const { parseDocument, isMap } = yamlLib()
  const displayName = name.trim()
  if (displayName === '' || displayName.length > 200 || /[\u0000-\u001f\u007f]/.test(displayName)) {
    throw new CliError('the name must be 1 to 200 characters, without control characters')
  }
  const auth = authKinds(opts.auth)
  let domain: string | undefined
  if (opts.domain !== undefined) {
    domain = normalizeDomain(opts.domain)
    if (domain === undefined) throw new CliError(`--domain ${JSON.stringify(opts.domain)} is not a domain name such as acme.com`)
  }

  const text = await readIfExists(file)
  const doc = parseDocument(text ?? '')
  if (doc.errors.length > 0) throw new CliError(`${file}: not valid YAML (${doc.errors[0]!.message.split('\n', 1)[0]})`)
  if (doc.contents !== null && !isMap(doc.contents)) throw new CliError(`${file}: the config must be a mapping`)
  const configured = configuredConnectors(doc, file)
  const taken = (slug: string) => Object.hasOwn(BUILTIN_CONNECTORS, slug) || configured.has(slug)

  let slug: string
  if (opts.slug !== undefined) {
    if (!isValidSlug(opts.slug)) throw new CliError(`--slug ${JSON.stringify(opts.slug)} must match ^[a-z0-9][a-z0-9_-]{0,62}$`)
    if (taken(opts.slug)) throw new CliError(`connector ${opts.slug} exists already (${configured.has(opts.slug) ? file : 'built-in catalog'}): not overwritten`)
    slug = opts.slug
  } else {
    const base = slugFromName(displayName)
    slug = uniqueSlug(base === '' ? 'connector' : base, taken)
  }

  const skeleton = connectorSkeleton({ slug, name: displayName, auth, ...(domain === undefined ? {} : { domain }) })
  await writeAtomically(file, withConnector(text ?? '', doc, slug, skeleton))
  return slug
}

/**
 * The config text with the skeleton added. Where `connectors:` is a block mapping (or absent
 * from a block mapping), the rendered entry is inserted after its last connector (or appended),
 * so every byte the user wrote stays as written; otherwise (`connectors: {}`, `connectors:` with
 * nothing under it) the Document is edited and re-rendered, which keeps comments but may respace.
 */
function withConnector (text: string, doc: Document, slug: string, skeleton: ConnectorConfig): string {
  const { Document, isMap } = yamlLib()
  const node = doc.get('connectors', true)
  const entry = new Document({ [slug]: skeleton }).toString({ lineWidth: 0 })
  if (isMap(node) && node.flow !== true && node.range != null && node.items.length > 0) {
    const keyStart = (node.items[0]!.key as Node).range![0]
    const indent = ' '.repeat(keyStart - (text.lastIndexOf('\n', keyStart - 1) + 1))
    const end = node.range[1]
    const before = text.slice(0, end)
    return `${before}${before.endsWith('\n') ? '' : '\n'}${entry.replace(/^(?=.)/gm, indent)}${text.slice(end)}`
  }
  if (node === undefined && (doc.contents === null || (isMap(doc.contents) && doc.contents.flow !== true))) {
    const block = new Document({ connectors: { [slug]: skeleton } }).toString({ lineWidth: 0 })
    return `${text}${text === '' || text.endsWith('\n') ? '' : '\n'}${block}`
  }
  if (isMap(node)) node.set(slug, doc.createNode(skeleton))
  else doc.set('connectors', doc.createNode({ [slug]: skeleton }))
  return doc.toString({ lineWidth: 0 })
}

function authKinds (given: string[] | undefined): SkeletonAuthKind[] {
  const kinds = (given ?? ['api_key']).flatMap((v) => v.split(',')).map((v) => v.trim()).filter((v) => v !== '')
  const unknown = kinds.filter((k) => !isSkeletonAuthKind(k))
  if (unknown.length > 0) throw new CliError(`--auth ${unknown.join(', ')}: expected ${SKELETON_AUTH_KINDS.join(', ')}`)
  if (kinds.length === 0) throw new CliError('--auth needs at least one of ' + SKELETON_AUTH_KINDS.join(', '))
  return [...new Set(kinds)] as SkeletonAuthKind[]
}

/** The slugs under `connectors:` as written (no full load: env and secrets are not needed). */
function configuredConnectors (doc: Document, file: string): Set<string> {
  const { isMap, isScalar } = yamlLib()
  const node = doc.get('connectors', true)
  // `connectors:` with nothing under it parses as a null scalar.
  if (node === undefined || (isScalar(node) && node.value === null)) return new Set()
  if (!isMap(node)) throw new CliError(`${file}: connectors must be a mapping`)
  return new Set(node.items.map((pair) => String(isScalar(pair.key) ? pair.key.value : pair.key)))
}

async function readIfExists (file: string): Promise<string | undefined> {
  try {
    return await readFile(file, 'utf8')
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw new CliError(`cannot read ${file}: ${(err as Error).message}`)
  }
}

/** Temp file beside the target (same mode), then rename: a reader sees the old file or the new one. */
async function writeAtomically (file: string, text: string): Promise<void> {
  const temp = path.join(path.dirname(file), `.${path.basename(file)}.${randomBytes(6).toString('hex')}.tmp`)
  const mode = await stat(file).then((s) => s.mode & 0o777, () => 0o644)
  try {
    await writeFile(temp, text, { flag: 'wx', mode })
    await rename(temp, file)
  } catch (err) {
    await rm(temp, { force: true })
    throw new CliError(`cannot write ${file}: ${(err as Error).message}`)
  }
}
