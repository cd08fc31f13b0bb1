import type { Command } from 'commander'
import { isStoreError } from '../secrets/errors.js'
import { generateMasterKey, parseMasterKey, resolveMasterKey } from '../secrets/master-key.js'
import { openSealedStore, type OpenStoreOptions } from '../secrets/open-store.js'
import type { MasterKey, SealedStore, StoreConfig } from '../secrets/types.js'
import { CliError } from './cli-error.js'

/** SPEC 3: secret names. */
export const SECRET_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/

export interface SecretCommandDeps {
  openStore: () => Promise<SealedStore>
  /** The store under the current key, and the key to rotate to (LATCHKEY_NEW_MASTER_KEY). */
  openStoreForRotation: () => Promise<{ store: SealedStore, next: MasterKey }>
  /** The value of secret `name`: stdin, or a hidden prompt on a terminal. */
  readStdin: (name: string) => Promise<string>
  /** one line of normal output (stdout) */
  out: (line: string) => void
}

/**
 * Adds `keygen` and `secrets set|list|delete|rotate-key`. Failures are thrown as CliError
 * (store errors included), for the CLI main to print on stderr with exit code 1.
 */
export function registerSecretCommands (program: Command, deps: SecretCommandDeps): void {
  program.command('keygen')
    .description('print a new base64 32-byte master key')
    .action(() => { deps.out(generateMasterKey()) })

  const secrets = program.command('secrets').description('manage sealed secrets')

  secrets.command('set')
    .description('seal and store a secret; the value is read from stdin (one trailing newline removed)')
    .argument('<name>', 'secret name')
    .action(cliAction(async (name: string) => {
      assertSecretName(name)
      const value = stripTrailingNewline(await deps.readStdin(name))
      if (value === '') {
        throw new CliError(`secret value is empty: pipe it on stdin, e.g. printf '%s' "$VALUE" | latchkey secrets set ${name}`)
      }
      await withStore(deps.openStore, store => store.put('secret', name, value))
      deps.out(`stored secret ${name}`)
    }))

  secrets.command('list')
    .description('print secret names, one per line (never values)')
    .action(cliAction(async () => {
      const names = await withStore(deps.openStore, store => store.list('secret'))
      for (const name of names) deps.out(name)
    }))

  secrets.command('delete')
    .description('remove a secret')
    .argument('<name>', 'secret name')
    .action(cliAction(async (name: string) => {
      assertSecretName(name)
      const removed = await withStore(deps.openStore, store => store.delete('secret', name))
      if (!removed) throw new CliError(`no secret named ${name}`)
      deps.out(`deleted secret ${name}`)
    }))

  secrets.command('rotate-key')
    .description('re-seal every record from LATCHKEY_MASTER_KEY to LATCHKEY_NEW_MASTER_KEY, atomically')
    .action(cliAction(async () => {
      const { store, next } = await deps.openStoreForRotation()
      const count = await withStore(async () => store, s => s.rotateKey(next))
      deps.out(`re-sealed ${count} record${count === 1 ? '' : 's'} with key ${next.id}`)
      deps.out('set LATCHKEY_MASTER_KEY to the new key before starting latchkey again')
    }))
}

/**
 * The invalid name is not echoed: a value pasted in place of the name would otherwise be
 * printed to the terminal and its scrollback or CI log.
 */
function assertSecretName (name: string): void {
  if (!SECRET_NAME.test(name)) {
    throw new CliError('invalid secret name: use letters, digits and _, not starting with a digit (^[A-Za-z_][A-Za-z0-9_]*$)')
  }
}

/** Exactly one trailing "\n" or "\r\n": `echo value |` adds one, other whitespace is data. */
export function stripTrailingNewline (text: string): string {
  if (text.endsWith('\r\n')) return text.slice(0, -2)
  if (text.endsWith('\n')) return text.slice(0, -1)
  return text
}

async function withStore<T> (open: () => Promise<SealedStore>, use: (store: SealedStore) => Promise<T>): Promise<T> {
  const store = await open()
  try {
    return await use(store)
  } finally {
    await store.close()
  }
}

/** Store errors become CliError; their messages are written to be shown and hold no values. */
function cliAction<A extends unknown[]> (action: (...args: A) => Promise<void>): (...args: A) => Promise<void> {
  return async (...args) => {
    try {
      await action(...args)
    } catch (err) {
      if (isStoreError(err)) throw new CliError(err.message, { cause: err })
      throw err
    }
  }
}

export interface StoreOpenersOptions {
  env: Readonly<Record<string, string | undefined>>
  store: StoreConfig
  warn: (message: string) => void
  open?: OpenStoreOptions
}

/** The store-opening part of SecretCommandDeps from the environment, for the real CLI. */
export function storeOpeners (options: StoreOpenersOptions): Pick<SecretCommandDeps, 'openStore' | 'openStoreForRotation'> {
  const openWithCurrentKey = async (): Promise<{ store: SealedStore, current: MasterKey }> => {
    const current = await resolveMasterKey(options)
    return { store: await openSealedStore(options.store, current, options.open), current }
  }
  return {
    openStore: async () => (await openWithCurrentKey()).store,
    openStoreForRotation: async () => {
      const text = options.env.LATCHKEY_NEW_MASTER_KEY
      if (text === undefined || text.trim() === '') {
        throw new CliError('secrets rotate-key needs LATCHKEY_NEW_MASTER_KEY (create one with `latchkey keygen`)')
      }
      const next = parseMasterKey(text, 'LATCHKEY_NEW_MASTER_KEY')
      const { store, current } = await openWithCurrentKey()
      if (current.id === next.id) {
        await store.close()
        throw new CliError('LATCHKEY_NEW_MASTER_KEY is the current master key: nothing to rotate')
      }
      return { store, next }
    },
  }
}

/** All of stdin as UTF-8 text. */
export async function readStdinText (stream: NodeJS.ReadableStream = process.stdin): Promise<string> {
  const chunks: Buffer[] = []
  for await (const chunk of stream) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk)
  return Buffer.concat(chunks).toString('utf8')
}
