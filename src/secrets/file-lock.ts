import { randomBytes } from 'node:crypto'
import { link, open, readFile, rename, stat, unlink } from 'node:fs/promises'
import { StoreError } from './errors.js'
import { errnoCode, sleep } from './fs-utils.js'

export interface FileLockOptions {
  /** A lock older than this is taken to be left by a crashed process and broken. */
  staleMs?: number
  /** Give up after this long; longer than staleMs so a crashed holder is always outlived. */
  timeoutMs?: number
}

export type ReleaseLock = () => Promise<void>

/**
 * Cross-process exclusive lock: a file created with O_EXCL holding a random token.
 * Retries with short random sleeps so two waiters do not wake in lockstep.
 */
export async function acquireFileLock (path: string, options: FileLockOptions = {}): Promise<ReleaseLock> {
  const staleMs = options.staleMs ?? 10_000
  const deadline = Date.now() + (options.timeoutMs ?? staleMs + 5_000)
  const token = `${process.pid} ${randomBytes(8).toString('hex')}`
  for (let attempt = 0; ; attempt++) {
    try {
      const handle = await open(path, 'wx', 0o600)
      try {
        await handle.writeFile(token)
      } finally {
        await handle.close()
      }
      return () => releaseFileLock(path, token)
    } catch (err) {
      if (errnoCode(err) !== 'EEXIST') {
        throw new StoreError('io', `cannot create lock ${path}: ${errnoCode(err) ?? 'error'}`, { cause: err })
      }
    }
    await breakIfStale(path, staleMs)
    if (Date.now() > deadline) {
      throw new StoreError('io', `could not take the lock ${path}: another process holds it`)
    }
    await sleep(Math.min(2 + attempt * 2, 25) * (0.5 + Math.random()))
  }
}

async function releaseFileLock (path: string, token: string): Promise<void> {
  // Only remove our own lock: if ours was broken as stale, the file now belongs to someone else.
  const current = await readFile(path, 'utf8').catch(() => undefined)
  if (current === token) await unlink(path).catch(() => {})
}

/**
 * Breaks a lock older than `staleMs`. Renaming it aside is atomic, so of several waiters that
 * all saw it stale only one removes it; if the file renamed turns out to be a fresh lock (the
 * stale one was released and retaken in between), it is linked back.
 */
async function breakIfStale (path: string, staleMs: number): Promise<void> {
  let seen
  try {
    seen = await stat(path)
  } catch {
    return
  }
  if (Date.now() - seen.mtimeMs < staleMs) return
  const aside = `${path}.${randomBytes(6).toString('hex')}.broken`
  try {
    await rename(path, aside)
  } catch {
    return // someone else broke or released it
  }
  const taken = await stat(aside).catch(() => undefined)
  if (taken !== undefined && taken.ino !== seen.ino) {
    await link(aside, path).catch(() => {})
  }
  await unlink(aside).catch(() => {})
}
