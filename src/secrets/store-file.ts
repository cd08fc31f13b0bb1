/**
 * The file store's on-disk format, `{ "v": 1, "records": { "<kind>:<id>": SealedRecord } }`,
 * and how a version of it is read, recognised and replaced.
 */
import { open, stat } from 'node:fs/promises'
import { StoreError } from './errors.js'
import { errnoCode, writeFileAtomic } from './fs-utils.js'
import { parseSealedRecord, type SealedRecord } from './seal.js'

export type Records = Map<string, SealedRecord>

/** Records as read from disk, with the fingerprint of the file version they came from. */
export interface Snapshot {
  records: Records
  /** ino:size:mtime of that version, or 'absent'; changes on every rename over the file */
  fingerprint: string
}

export async function writeRecords (file: string, records: Records): Promise<void> {
  const sorted = Object.fromEntries([...records].sort(([a], [b]) => a < b ? -1 : a > b ? 1 : 0))
  try {
    await writeFileAtomic(file, JSON.stringify({ v: 1, records: sorted }, null, 2) + '\n', 0o600)
  } catch (err) {
    throw new StoreError('io', `cannot write store file ${file}: ${errnoCode(err) ?? 'error'}`, { cause: err })
  }
}

function fingerprintOf (s: { ino: bigint, size: bigint, mtimeNs: bigint }): string {
  return `${s.ino}:${s.size}:${s.mtimeNs}`
}

export async function fingerprint (file: string): Promise<string> {
  try {
    return fingerprintOf(await stat(file, { bigint: true }))
  } catch (err) {
    if (errnoCode(err) === 'ENOENT') return 'absent'
    throw new StoreError('io', `cannot stat store file ${file}: ${errnoCode(err) ?? 'error'}`, { cause: err })
  }
}

/** Content and fingerprint from one open file descriptor, so both describe the same version. */
export async function readSnapshot (file: string): Promise<Snapshot> {
  let text: string
  let seen: string
  try {
    const handle = await open(file, 'r')
    try {
      seen = fingerprintOf(await handle.stat({ bigint: true }))
      text = await handle.readFile('utf8')
    } finally {
      await handle.close()
    }
  } catch (err) {
    if (errnoCode(err) === 'ENOENT') return { records: new Map(), fingerprint: 'absent' }
    if (err instanceof StoreError) throw err
    throw new StoreError('io', `cannot read store file ${file}: ${errnoCode(err) ?? 'error'}`, { cause: err })
  }
  return { records: parseStoreFile(text, file), fingerprint: seen }
}

function parseStoreFile (text: string, file: string): Records {
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch {
    // No cause: V8's JSON error quotes a slice of the input.
    throw new StoreError('corrupt', `store file ${file} is not valid JSON`)
  }
  const body = parsed as { v?: unknown, records?: unknown } | null
  if (typeof body !== 'object' || body === null || body.v !== 1 ||
      typeof body.records !== 'object' || body.records === null || Array.isArray(body.records)) {
    throw new StoreError('corrupt', `store file ${file} is not a latchkey store (expected {"v":1,"records":{...}})`)
  }
  const records: Records = new Map()
  for (const [identity, value] of Object.entries(body.records)) {
    records.set(identity, parseSealedRecord(value, identity))
  }
  return records
}
