import { createHash, randomBytes } from 'node:crypto'
import { chmod, link, mkdir, open, readFile, stat, unlink } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { inspect } from 'node:util'
import { StoreError } from './errors.js'
import { exists, fsyncDir } from './fs-utils.js'
import type { MasterKey, StoreConfig } from './types.js'

export const MASTER_KEY_BYTES = 32
export const MASTER_KEY_FILE_NAME = 'master.key'

// Strict: Buffer.from(s, 'base64') silently skips characters it does not know, which would
// turn a typo into a different (valid-length) key instead of an error.
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/

/**
 * Decodes a base64 master key. `source` names where it came from in the error message; the
 * key itself is never echoed.
 */
export function parseMasterKey (base64: string, source = 'LATCHKEY_MASTER_KEY'): MasterKey {
  const text = base64.trim()
  if (!BASE64.test(text)) {
    throw new StoreError('invalid_key', `${source} must be base64 of exactly ${MASTER_KEY_BYTES} bytes (got invalid base64)`)
  }
  const bytes = new Uint8Array(Buffer.from(text, 'base64'))
  if (bytes.length !== MASTER_KEY_BYTES) {
    throw new StoreError('invalid_key', `${source} must be base64 of exactly ${MASTER_KEY_BYTES} bytes (got ${bytes.length})`)
  }
  const id = masterKeyId(bytes)
  // A key that ends up in a log line or an error's structured detail shows its id only.
  const redacted = { id, bytes: '[redacted]' }
  return Object.freeze(Object.defineProperties({ id, bytes }, {
    toJSON: { value: () => redacted },
    [inspect.custom]: { value: () => `MasterKey { id: '${id}', bytes: [redacted] }` },
  }))
}

/** First 8 bytes of SHA-256 as hex: identifies a key on every record without revealing it. */
export function masterKeyId (bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest().subarray(0, 8).toString('hex')
}

export function generateMasterKey (): string {
  return randomBytes(MASTER_KEY_BYTES).toString('base64')
}

export interface ResolveMasterKeyOptions {
  env: Readonly<Record<string, string | undefined>>
  store: StoreConfig
  warn: (message: string) => void
}

/**
 * LATCHKEY_MASTER_KEY, else LATCHKEY_MASTER_KEY_FILE, else (file store only) a development key
 * generated once into `<store.path>/master.key`.
 */
export async function resolveMasterKey ({ env, store, warn }: ResolveMasterKeyOptions): Promise<MasterKey> {
  const inline = env.LATCHKEY_MASTER_KEY
  if (inline !== undefined && inline.trim() !== '') return parseMasterKey(inline)

  const file = env.LATCHKEY_MASTER_KEY_FILE
  if (file !== undefined && file.trim() !== '') {
    return parseMasterKey(await readKeyFile(file), `LATCHKEY_MASTER_KEY_FILE (${file})`)
  }

  if (store.type !== 'file' || store.path === undefined) {
    throw new StoreError('missing_key',
      `the ${store.type} store needs a master key: set LATCHKEY_MASTER_KEY or LATCHKEY_MASTER_KEY_FILE (create one with \`latchkey keygen\`)`)
  }
  return devMasterKey(store.path, warn)
}

async function readKeyFile (path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8')
  } catch (err) {
    throw new StoreError('io', `cannot read master key file ${path}: ${(err as NodeJS.ErrnoException).code ?? 'error'}`, { cause: err })
  }
}

async function devMasterKey (dir: string, warn: (message: string) => void): Promise<MasterKey> {
  const path = join(dir, MASTER_KEY_FILE_NAME)
  await mkdir(dir, { recursive: true, mode: 0o700 })
  // Read first so a read-only folder holding a key still works; create only when absent.
  const created = !(await exists(path)) && await createKeyFileOnce(path)
  const key = parseMasterKey(await readKeyFile(path), `master key file ${path}`)
  const mode = (await stat(path)).mode & 0o777
  warn([
    `${created ? 'generated a DEVELOPMENT master key at' : 'using the DEVELOPMENT master key at'} ${path}`,
    'because neither LATCHKEY_MASTER_KEY nor LATCHKEY_MASTER_KEY_FILE is set.',
    'Anyone who can read that file can open every stored secret, and losing it loses them all.',
    'For production, create a key with `latchkey keygen` and pass it in LATCHKEY_MASTER_KEY.',
    ...(mode & 0o077) !== 0 ? [`The key file is readable by others (mode ${mode.toString(8)}): chmod 600 it.`] : [],
  ].join(' '))
  return key
}

/**
 * Writes a new key to `path` unless it exists; true when this call created it.
 * The key goes to an O_EXCL temp file first and is published with link(), which fails when
 * the target exists: two processes starting together never both generate, and a reader
 * never sees a half-written key (a crash leaves at most a stray temp file, not an empty key).
 */
async function createKeyFileOnce (path: string): Promise<boolean> {
  const temp = `${path}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`
  const handle = await open(temp, 'wx', 0o600)
  try {
    await handle.writeFile(generateMasterKey() + '\n')
    await handle.chmod(0o600)
    await handle.sync()
  } finally {
    await handle.close()
  }
  try {
    await link(temp, path)
    await chmod(path, 0o600)
    await fsyncDir(dirname(path))
    return true
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false
    throw new StoreError('io', `cannot create master key file ${path}: ${(err as NodeJS.ErrnoException).code ?? 'error'}`, { cause: err })
  } finally {
    await unlink(temp).catch(() => {})
  }
}
