/**
 * Token cache keys: an HMAC of every rendered field of the token request, keyed by a subkey of
 * the master key. A changed client secret or scope is a new key; the key itself reveals nothing
 * about the fields, even to someone reading Redis.
 */
import { createHmac } from 'node:crypto'

export type TokenKeyer = (parts: readonly unknown[]) => string

/**
 * Warm requests ask for the key of the same fields again and again: the HMAC of each distinct
 * field set is kept (bounded, oldest out), so a warm request costs a JSON.stringify and a Map
 * lookup. The HMAC was ~5% of the warm client-credentials bench profile. The map's keys hold the
 * rendered fields (client secrets included), which the process holds anyway while it serves.
 */
const MEMO_MAX = 256

export function tokenKeyer (masterKey: Uint8Array): TokenKeyer {
  const subkey = createHmac('sha256', masterKey).update('latchkey/token-cache-key/v1').digest()
  const memo = new Map<string, string>()
  return (parts) => {
    const text = JSON.stringify(parts)
    let key = memo.get(text)
    if (key === undefined) {
      key = createHmac('sha256', subkey).update(text).digest('base64url')
      if (memo.size >= MEMO_MAX) memo.delete(memo.keys().next().value!)
      memo.set(text, key)
    }
    return key
  }
}
