import { randomBytes } from 'node:crypto'
import { open, readdir, rename, stat, unlink } from 'node:fs/promises'
import { basename, dirname, join } from 'node:path'

export const sleep = (ms: number): Promise<void> => new Promise(resolve => setTimeout(resolve, ms))

export function errnoCode (err: unknown): string | undefined {
  return (err as NodeJS.ErrnoException | undefined)?.code
}

export async function exists (path: string): Promise<boolean> {
  try {
    await stat(path)
    return true
  } catch (err) {
    if (errnoCode(err) === 'ENOENT') return false
    throw err
  }
}

/** Makes a rename or link in `dir` durable: without it a power loss may undo the rename. */
export async function fsyncDir (dir: string): Promise<void> {
  const handle = await open(dir, 'r')
  try {
    await handle.sync()
  } catch (err) {
    // Some file systems refuse fsync on a directory; the rename is still atomic there.
    if (errnoCode(err) !== 'EINVAL' && errnoCode(err) !== 'EISDIR') throw err
  } finally {
    await handle.close()
  }
}

function tempName (path: string): string {
  return `${path}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`
}

/**
 * Replaces `path` with `data` so that a crash at any moment leaves either the old or the new
 * content: temp file in the same folder (rename is only atomic within one file system), fsync,
 * rename over, fsync the folder.
 */
export async function writeFileAtomic (path: string, data: string, mode: number): Promise<void> {
  const temp = tempName(path)
  let renamed = false
  try {
    const handle = await open(temp, 'wx', mode)
    try {
      await handle.writeFile(data)
      await handle.chmod(mode) // the umask may have narrowed the mode at creation
      await handle.sync()
    } finally {
      await handle.close()
    }
    await rename(temp, path)
    renamed = true
    await fsyncDir(dirname(path))
  } finally {
    if (!renamed) await unlink(temp).catch(() => {})
  }
}

/**
 * Deletes temp files of `path` left by a crashed writer. Call it only while holding the write
 * lock: writers create temp files only under the lock, so none of them is in use.
 */
export async function removeStaleTemps (path: string): Promise<number> {
  const dir = dirname(path)
  const prefix = basename(path) + '.'
  let removed = 0
  for (const name of await readdir(dir)) {
    if (name.startsWith(prefix) && name.endsWith('.tmp')) {
      await unlink(join(dir, name)).catch(() => {})
      removed++
    }
  }
  return removed
}
