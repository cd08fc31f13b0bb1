import sodium from 'libsodium-wrappers'
import { StoreError } from './errors.js'
import type { MasterKey, RecordKind } from './types.js'

/** A sealed value as stored: JSON-safe, base64 fields. */
export interface SealedRecord {
  v: 1
  /** id of the master key that sealed it */
  kid: string
  nonce: string
  ct: string
}

export interface Sealer {
  readonly keyId: string
  /** `identity` is `recordIdentity(kind, id)`, authenticated as associated data. */
  seal (identity: string, plaintext: string): SealedRecord
  /** Throws StoreError 'wrong_key' or 'tampered'; never returns garbage. */
  open (identity: string, record: SealedRecord): string
}

let ready: Promise<void> | undefined
function sodiumReady (): Promise<void> {
  ready ??= sodium.ready
  return ready
}

export function recordIdentity (kind: RecordKind, id: string): string {
  return `${kind}:${id}`
}

export async function createSealer (key: MasterKey): Promise<Sealer> {
  await sodiumReady()
  const keyBytes = key.bytes
  const nonceBytes = sodium.crypto_aead_xchacha20poly1305_ietf_NPUBBYTES

  return {
    keyId: key.id,
    seal (identity, plaintext) {
      const nonce = sodium.randombytes_buf(nonceBytes)
      // The identity as associated data binds the ciphertext to this record: pasted into
      // another record's slot it fails authentication instead of opening as that record.
      const ct = sodium.crypto_aead_xchacha20poly1305_ietf_encrypt(
        sodium.from_string(plaintext), identity, null, nonce, keyBytes)
      return { v: 1, kid: key.id, nonce: toBase64(nonce), ct: toBase64(ct) }
    },
    open (identity, record) {
      if (record.kid !== key.id) {
        throw new StoreError('wrong_key',
          `record ${identity}: sealed with key ${record.kid}, configured master key is ${key.id}: wrong LATCHKEY_MASTER_KEY?`)
      }
      let plaintext: Uint8Array
      try {
        plaintext = sodium.crypto_aead_xchacha20poly1305_ietf_decrypt(
          null, fromBase64(record.ct), identity, fromBase64(record.nonce), keyBytes)
      } catch {
        throw new StoreError('tampered', `record ${identity} failed to open: tampered, moved, or wrong key`)
      }
      return sodium.to_string(plaintext)
    },
  }
}

/**
 * Fails with 'wrong_key' when any record was sealed by another key: a wrong key is a clear
 * error when the store is opened, not a failure on the first request that needs a secret.
 */
export function assertSealedWith (records: Iterable<SealedRecord>, keyId: string, where: string): void {
  const others = new Map<string, number>()
  for (const record of records) {
    if (record.kid !== keyId) others.set(record.kid, (others.get(record.kid) ?? 0) + 1)
  }
  if (others.size === 0) return
  const found = [...others].map(([kid, n]) => `${n} record${n === 1 ? '' : 's'} sealed with key ${kid}`).join(', ')
  throw new StoreError('wrong_key', `${where}: ${found}, configured master key is ${keyId}: wrong LATCHKEY_MASTER_KEY?`)
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/

/**
 * Checks the shape of a stored record. Errors name the record only: the input is ciphertext
 * but a broken file may hold anything.
 */
export function parseSealedRecord (value: unknown, identity: string): SealedRecord {
  const parsed = typeof value === 'string' ? parseJson(value) : value
  if (typeof parsed === 'object' && parsed !== null) {
    const r = parsed as Record<string, unknown>
    if (r.v === 1 && typeof r.kid === 'string' && typeof r.nonce === 'string' && typeof r.ct === 'string' &&
        BASE64.test(r.nonce) && BASE64.test(r.ct) && Buffer.from(r.nonce, 'base64').length === 24) {
      return { v: 1, kid: r.kid, nonce: r.nonce, ct: r.ct }
    }
  }
  throw new StoreError('corrupt', `record ${identity} is not a valid sealed record`)
}

function parseJson (text: string): unknown {
  try {
    return JSON.parse(text)
  } catch {
    return undefined
  }
}

function toBase64 (bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64')
}

function fromBase64 (text: string): Uint8Array {
  return new Uint8Array(Buffer.from(text, 'base64'))
}
