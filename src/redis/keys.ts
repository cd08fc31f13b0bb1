/**
 * Every Redis key and channel latchkey uses, one function per family (README "Redis key
 * families"). On Redis Cluster, a key's slot is decided by its hash tag, the text between the
 * first `{` and the next `}`: keys that one operation touches together share a tag, so every
 * Lua script, WATCH/MULTI and lock-then-re-check stays on one slot (one node), and the families
 * spread over the cluster by what is inside the tag.
 *
 * The prefix is `store.key_prefix` / `cache.key_prefix`; with `cluster_nodes` it may not hold a
 * brace (checked at load), since a tag in the prefix would replace these.
 */

/** Tokens: the sealed token, its fetch lock and its back-off mark share the token's tag. */
export function tokenKeys (prefix: string): {
  token (key: string): string
  lock (key: string): string
  failure (key: string): string
  channel: string
} {
  // The token key is base64url (an HMAC, src/tokens/cache-key.ts): never a brace.
  return {
    token: (key) => `${prefix}token:{${key}}`,
    lock: (key) => `${prefix}token-lock:{${key}}`,
    failure: (key) => `${prefix}token-fail:{${key}}`,
    channel: `${prefix}tokens:events`,
  }
}

/**
 * Rate-limit windows: one counter per connection and subject, counted by one Lua script on that
 * one key, so it needs no tag (its slot is its own). Unchanged from single-Redis layouts.
 */
export function rateKeys (prefix: string): { window (connectionAndSubject: string): string } {
  return { window: (key) => `${prefix}rate:${key}` }
}

/**
 * Connect sessions and OAuth state: one key each, read and consumed by one Lua script on that
 * key (exactly one taker on any process), so no tag either.
 */
export function connectKeys (prefix: string): { session (digest: string): string, oauthState (stateKey: string): string } {
  return {
    session: (digest) => `${prefix}connect:session:${digest}`,
    oauthState: (stateKey) => `${prefix}connect:oauth:${stateKey}`,
  }
}

/**
 * The sealed store: every record is a field of one hash, so an update and the PUBLISH in its
 * MULTI touch one key. Not tagged, and not renamed: existing stores keep their records.
 */
export function storeKeys (prefix: string): { hash: string, channel: string } {
  return { hash: `${prefix}store`, channel: `${prefix}store:changes` }
}

export interface EventKeys {
  due: string
  events: string
  state: string
  lease: string
  age: string
  dead: string
  /** prefix of the dedupe marks, `seen:<sha256>` */
  seen: string
}

/** The event queue: every key under the one `{events}` tag, so each script is one slot. */
export function eventKeys (prefix: string): EventKeys {
  const key = (name: string) => `${prefix}{events}:${name}`
  return { due: key('due'), events: key('events'), state: key('state'), lease: key('lease'), age: key('age'), dead: key('dead'), seen: key('seen:') }
}
