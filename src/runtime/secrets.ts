/** Fetches the secrets a request's templates need, before the synchronous render. */
import type { SealedStore } from '../secrets/types.js'

export type SecretLookup = (names: readonly string[]) => Promise<ReadonlyMap<string, string>>

const EMPTY: ReadonlyMap<string, string> = new Map()

export function secretLookup (store: SealedStore): SecretLookup {
  return async (names) => {
    if (names.length === 0) return EMPTY
    const values = await Promise.all(names.map((name) => store.get('secret', name)))
    const found = new Map<string, string>()
    names.forEach((name, i) => {
      const value = values[i]
      // A missing name stays out of the map: rendering reports it as secret_not_found.
      if (value !== undefined) found.set(name, value)
    })
    return found
  }
}
