/** How long a token may be used (SPEC 7.1). */

export const EARLY_EXPIRY_S = 60
export const DEFAULT_EXPIRES_IN_S = 3600

/** `expires_in` from a token response: a positive number (or numeric string), else undefined. */
export function parseExpiresIn (value: unknown): number | undefined {
  const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value
  return typeof n === 'number' && Number.isFinite(n) && n > 0 ? n : undefined
}

/**
 * Seconds of use: `min(cap, expires_in) - 60`. A token that lives a minute or less is used for
 * the request that fetched it only (0): it is never cached past its life.
 */
export function usableSeconds (expiresIn: number | undefined, cap = Infinity): number {
  const life = Math.min(cap, expiresIn ?? DEFAULT_EXPIRES_IN_S)
  return Math.max(0, life - EARLY_EXPIRY_S)
}
