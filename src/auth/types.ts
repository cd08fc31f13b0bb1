/**
 * One interface for every auth method. A method is compiled once at load from its config
 * (`compile.ts`); per request it only renders its templates and says what to add.
 */
import type { AuthType } from '../config/schema.js'
import type { CompiledTemplate, TemplateContext } from '../templates/types.js'
import type { Dispatcher } from 'undici'
import type { TemplateCompiler } from '../config/semantic.js'
import type { TokenKeyer } from '../tokens/cache-key.js'
import type { OAuth2Credentials } from '../tokens/oauth2-credentials.js'
import type { RefreshResult } from '../tokens/types.js'
import type { TokenService } from '../tokens/service.js'
import type { SigningKeys } from './jwt-signing.js'

/** What a request carries into the auth step: its template context and prefetched secrets. */
export interface AuthScope {
  readonly context: TemplateContext
  readonly secrets: ReadonlyMap<string, string>
  /** `<connection id>/<method name>`: the namespace of this method's cached tokens. */
  readonly key: string
  /** The upstream request as it will be sent, for a method that signs it (`signsRequest`). */
  readonly request?: SignedRequest
}

/** What a request signature covers (RFC 5849 3.4.1), known before auth runs. */
export interface SignedRequest {
  readonly method: string
  /** Origin and path as sent, without the query. */
  readonly url: string
  /** The query as it will be sent before auth adds anything, decoded, in order. */
  readonly query: ReadonlyArray<readonly [name: string, value: string]>
  /** The decoded parameters of an `application/x-www-form-urlencoded` body, if there is one. */
  readonly form?: ReadonlyArray<readonly [name: string, value: string]>
}

/** Headers and query parameters the upstream receives; they always win over the caller's. */
export interface AuthOutcome {
  readonly headers: ReadonlyArray<readonly [name: string, value: string]>
  readonly query: ReadonlyArray<readonly [name: string, value: string]>
}

export interface AuthMethod {
  readonly type: AuthType
  /** Every template the method renders, so the request can prefetch their secrets. */
  readonly templates: readonly CompiledTemplate[]
  /** Token-based: an upstream 401 drops the cached token and the request is replayed once. */
  readonly tokenBased: boolean
  /**
   * Signs the request (oauth1): it needs `AuthScope.request`, a form body is buffered (up to
   * body_limit) so its parameters can be signed, and each retry is signed anew.
   */
  readonly signsRequest?: boolean
  apply (scope: AuthScope): AuthOutcome | Promise<AuthOutcome>
  /** Forget the cached credential that `rejected` carried (after an upstream 401). */
  invalidate? (scope: AuthScope, rejected: AuthOutcome): Promise<void>
}

export const NOTHING: AuthOutcome = Object.freeze({ headers: Object.freeze([]), query: Object.freeze([]) })

/** What a token-based method adds: the token as `Authorization: Bearer`. */
export function bearerOutcome (token: string): AuthOutcome {
  return { headers: [['authorization', `Bearer ${token}`]], query: [] }
}

/** The token of a `Bearer` Authorization header in an outcome, for purging it. */
export function bearerOf (outcome: AuthOutcome): string | undefined {
  const header = outcome.headers.find(([name]) => name.toLowerCase() === 'authorization')
  return header?.[1].startsWith('Bearer ') === true ? header[1].slice(7) : undefined
}

/** Renders a compiled template as a field of this method; errors already name no values. */
export function render (template: CompiledTemplate, scope: AuthScope): string {
  return template.render(scope.context, scope.secrets)
}

/** What compiling an auth method may use: template compiler, token machinery, clocks. */
export interface AuthDeps {
  compiler: TemplateCompiler
  tokens: TokenService
  tokenKey: TokenKeyer
  /** Where token requests go: operator-written URLs are trusted, templated ones guarded. */
  tokenDispatcher: (templated: boolean) => Dispatcher
  tokenTimeoutMs: number
  /** Epoch ms, injectable for tests. */
  now: () => number
  signingKeys: SigningKeys
  /** Stored OAuth 2.0 tokens (connect flow); without it an oauth2 connection is never connected. */
  oauth2Tokens?: OAuth2TokenStore
  /** Counts each oauth2 refresh by connection and result (metrics). */
  tokenRefreshed?: (connection: string, result: RefreshResult) => void
}

/** Where refreshes read and write a connection's tokens: the stored record, fresh, atomically. */
export interface OAuth2TokenStore {
  /** The credentials as stored now (not a cached copy); undefined when the connection is gone. */
  current (connectionId: string): Promise<OAuth2Credentials | undefined>
  /** Replaces the tokens in the stored record, atomically. */
  save (connectionId: string, credentials: OAuth2Credentials): Promise<void>
  /** The provider refused the refresh token: the user must reconnect. */
  markRefreshFailed (connectionId: string): Promise<void>
}
