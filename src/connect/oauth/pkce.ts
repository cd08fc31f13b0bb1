/** PKCE (RFC 7636) with S256: a fresh verifier per authorize redirect, and its challenge. */
import { createHash, randomBytes } from 'node:crypto'

/** 32 random bytes, base64url: 43 characters, inside RFC 7636's 43..128. */
export function newVerifier (): string {
  return randomBytes(32).toString('base64url')
}

/** `code_challenge` for `code_challenge_method=S256`: base64url(sha256(verifier)). */
export function challengeOf (verifier: string): string {
  return createHash('sha256').update(verifier, 'ascii').digest('base64url')
}
