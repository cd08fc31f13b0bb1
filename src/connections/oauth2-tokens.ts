/**
 * The `oauth2` method's view of the store (src/auth/oauth2.ts OAuth2TokenStore): a connection's
 * tokens read fresh and replaced atomically in its stored record, and its status.
 */
import type { OAuth2TokenStore } from '../auth/types.js'
import { connectionEventData, NO_EVENTS, type EventSink } from '../events/sink.js'
import type { ConnectionRepository } from './repository.js'

/** Token fields a refresh replaces; whatever else the credentials hold stays. */
const TOKEN_FIELDS = ['access_token', 'refresh_token', 'expires_at', 'refresh_at', 'token_type', 'scope']

export function storedOAuth2Tokens (repository: ConnectionRepository, changed: (id: string) => void, now: () => number = Date.now,
  events: EventSink = NO_EVENTS): OAuth2TokenStore {
  return {
    async current (id) {
      // update() without a change reads the record as stored now (under the file lock, or in a
      // Redis transaction), not a snapshot that may be a refresh behind.
      return (await repository.update(id, () => undefined))?.credentials
    },
    async save (id, credentials) {
      let recovered = false
      const record = await repository.update(id, (current) => {
        if (current === undefined) return undefined
        recovered = current.status === 'refresh_failed'
        const kept = Object.fromEntries(Object.entries(current.credentials).filter(([name]) => !TOKEN_FIELDS.includes(name)))
        return { ...current, credentials: { ...kept, ...credentials }, status: 'connected', updated_at: new Date(now()).toISOString() }
      })
      changed(id)
      if (recovered && record !== undefined) await events.connection('connection.recovered', connectionEventData(record))
    },
    async markRefreshFailed (id) {
      let marked = false
      const record = await repository.update(id, (current) => {
        marked = current !== undefined && current.status !== 'refresh_failed'
        return !marked ? undefined : { ...current!, status: 'refresh_failed', updated_at: new Date(now()).toISOString() }
      })
      changed(id)
      // Once per failure: a connection already marked is not announced again.
      if (marked && record !== undefined) await events.connection('connection.refresh_failed', connectionEventData(record))
    },
  }
}
