/**
 * Secrets a provider hands over in a handshake (Asana's `X-Hook-Secret`), and the operator's
 * say-so that one may be taken. A caller on the internet can never set or replace the secret:
 * - an admin arms a handshake for one connection (`POST /admin/webhooks/<id>/handshake`) and
 *   gets a one-time URL `<public_url>/webhooks/<id>?handshake=<nonce>` (32 random bytes),
 *   valid for ARM_TTL_MS; only the nonce's SHA-256 is stored;
 * - the first handshake presenting that nonce inside the window consumes it (one delete wins)
 *   and its secret is stored; a wrong or missing nonce, or a second handshake, is refused and
 *   leaves the window as it was.
 * Both records are sealed in the secret store (kind `secret`, ids `webhook_handshake:<id>` and
 * `webhook_secret:<id>`, names no template can read), shared by every gateway on that store.
 */
import { createHash, randomBytes } from 'node:crypto'
import type { SealedStore } from '../secrets/types.js'
import { sameSignature } from './verify/compare.js'

export type HookSecretStore = Pick<SealedStore, 'get' | 'put' | 'delete'>

/** How long an armed handshake waits for the provider (Asana's comes during the create call). */
export const ARM_TTL_MS = 10 * 60_000

export const capturedSecretId = (connection: string): string => `webhook_secret:${connection}`
const armedId = (connection: string): string => `webhook_handshake:${connection}`
const digest = (nonce: string): string => createHash('sha256').update(nonce).digest('hex')

interface Armed { v: 1, nonce_sha256: string, expires_at: number }

export async function armHandshake (store: HookSecretStore, connection: string, nowMs: number): Promise<{ nonce: string, expiresAt: number }> {
  const nonce = randomBytes(32).toString('base64url')
  const expiresAt = nowMs + ARM_TTL_MS
  const armed: Armed = { v: 1, nonce_sha256: digest(nonce), expires_at: expiresAt }
  await store.put('secret', armedId(connection), JSON.stringify(armed))
  return { nonce, expiresAt }
}

/** true when the handshake was armed with this nonce and is now consumed, the secret stored. */
export async function captureSecret (store: HookSecretStore, connection: string, nonce: string | undefined, secret: string, nowMs: number): Promise<boolean> {
  if (nonce === undefined || nonce === '' || nonce.length > 128) return false
  const armed = parseArmed(await store.get('secret', armedId(connection)))
  if (armed === undefined) return false
  if (armed.expires_at < nowMs) {
    await store.delete('secret', armedId(connection))
    return false
  }
  if (!sameSignature(armed.nonce_sha256, digest(nonce))) return false
  // Two handshakes with the nonce at once: only one delete removes the record.
  if (!(await store.delete('secret', armedId(connection)))) return false
  await store.put('secret', capturedSecretId(connection), secret)
  return true
}

/** Forgets the captured secret and any armed window: deliveries are refused until the next handshake. */
export async function forgetSecret (store: HookSecretStore, connection: string): Promise<boolean> {
  const [secret, armed] = await Promise.all([store.delete('secret', capturedSecretId(connection)), store.delete('secret', armedId(connection))])
  return secret || armed
}

function parseArmed (raw: string | undefined): Armed | undefined {
  if (raw === undefined) return undefined
  try {
    const value = JSON.parse(raw) as Partial<Armed>
    return value.v === 1 && typeof value.nonce_sha256 === 'string' && typeof value.expires_at === 'number' ? value as Armed : undefined
  } catch {
    return undefined
  }
}
