export type CallerKind = 'user' | 'api_key' | 'anonymous'

/** Everything a template may read (SPEC 5). Built once per request by the proxy. */
export interface TemplateContext {
  connection: {
    id: string
    connector: string
    owner: string | null
    config: Readonly<Record<string, unknown>>
    credentials: Readonly<Record<string, string>>
  }
  /** Verified end-user JWT claims; absent for api-key and anonymous callers. */
  user?: Readonly<Record<string, unknown>>
  caller: { id: string | null, kind: CallerKind }
  request: { method: string, path: string, query: Readonly<Record<string, string | string[]>> }
  /** Action path parameters (POST /actions/...). */
  params?: Readonly<Record<string, string>>
  /** Response templates only (SPEC 5.3). */
  response?: { status_code: number, headers: Readonly<Record<string, string>>, body: string }
}

/** Where a template sits in the config; decides which names it may use. */
export type TemplateSite =
  | 'auth'      // auth method fields, connector headers/query, connection credentials
  | 'base_url'  // no get_secret, no connection.credentials
  | 'path'      // action and test paths: same restriction as base_url
  | 'response'  // response body templates: same restriction as base_url
  | 'caller'    // callers.api_keys.*.key, callers.jwt.secret: only get_secret/get_variable/now

export interface CompiledTemplate {
  readonly source: string
  /** No tags at all: render() returns `source` without touching nunjucks. */
  readonly isStatic: boolean
  /** Secret names passed as string literals to get_secret(), known at compile time. */
  readonly secrets: readonly string[]
  /** Reads `user.` (the request then needs a verified user: 401 user_required otherwise). */
  readonly readsUser: boolean
  /** Reads `connection.credentials.` */
  readonly readsCredentials: boolean
  /** Output depends only on secrets and variables (no request, user, time or randomness). */
  readonly isConstant: boolean
  /**
   * Synchronous render. `secrets` must hold every name in `secrets` that exists in the store;
   * a name missing from the map raises secret_not_found.
   */
  render (context: TemplateContext, secrets: ReadonlyMap<string, string>): string
}
