/**
 * The `oauth2` method's view of the store (src/auth/oauth2.ts OAuth2TokenStore): a connection's
 * tokens read fresh and replaced atomically in its stored record, and its status.
 */
import type { OAuth2TokenStore } from '../auth/types.js'
import type { ConnectionRepository } from './repository.js'

/** Token fields a refresh replaces; whatever else the credentials hold stays. */
const TOKEN_FIELDS = ['access_token', 'refresh_token', 'expires_at', 'refresh_at', 'token_type', 'scope']

export function storedOAuth2Tokens (repository: ConnectionRepository, changed: (id: string) => void, now: () => number = Date.now): OAuth2TokenStore {
  return {
    async current (id) {
      // update() without a change reads the record as stored now (under the file lock, or in a
      // Redis transaction), not a snapshot that may be a refresh behind.
      return (await repository.update(id, () => undefined))?.credentials
    },
    async save (id, credentials) {
      await repository.update(id, (current) => {
        if (current === undefined) return undefined
        const kept = Object.fromEntries(Object.entries(current.credentials).filter(([name]) => !TOKEN_FIELDS.includes(name)))
        return { ...current, credentials: { ...kept, ...credentials }, status: 'connected', updated_at: new Date(now()).toISOString() }
      })
      changed(id)
    },
    async markRefreshFailed (id) {
      await repository.update(id, (current) => current === undefined || current.status === 'refresh_failed'
        ? undefined
        : { ...current, status: 'refresh_failed', updated_at: new Date(now()).toISOString() })
      changed(id)
    },
  }
}
