/** `oauth_client_credentials` (RFC 6749 4.4): a cached access token as Bearer. */
import type { AuthMethodOf } from '../config/schema.js'
import { requestToken } from '../tokens/endpoint.js'
import { parseExpiresIn, usableSeconds } from '../tokens/lifetime.js'
import type { AuthDeps } from './types.js'
import { bearerOf, bearerOutcome, render, type AuthMethod, type AuthScope } from './types.js'

export function clientCredentialsMethod (config: AuthMethodOf<'oauth_client_credentials'>, deps: AuthDeps): AuthMethod {
  const c = deps.compiler
  const clientId = c.compile(config.client_id, 'auth')
  const clientSecret = c.compile(config.client_secret, 'auth')
  const tokenUrl = c.compile(config.token_url, 'auth')
  const scope = config.scope === undefined ? undefined : c.compile(config.scope, 'auth')
  const audience = config.audience === undefined ? undefined : c.compile(config.audience, 'auth')
  const extra = Object.entries(config.extra_params ?? {}).map(([k, v]) => [k, c.compile(v, 'auth')] as const)
  const basic = config.client_auth === 'basic'
  const dispatcher = deps.tokenDispatcher(!tokenUrl.isStatic)

  // The key of the last field values: a warm request whose fields are the same strings as the
  // previous one's reuses it without serialising them (tokenKey was ~2% of the warm profile).
  let last: { values: ReadonlyArray<string | undefined>, key: string } | undefined
  const request = (s: AuthScope) => {
    const fields = {
      url: render(tokenUrl, s),
      id: render(clientId, s),
      secret: render(clientSecret, s),
      scope: scope === undefined ? undefined : render(scope, s),
      audience: audience === undefined ? undefined : render(audience, s),
      extra: extra.map(([k, t]) => [k, render(t, s)] as const),
    }
    const values = [s.key, fields.url, fields.id, fields.secret, fields.scope, fields.audience, ...fields.extra.map(([, v]) => v)]
    if (last === undefined || !sameValues(last.values, values)) {
      last = { values, key: deps.tokenKey([s.key, 'oauth_client_credentials', basic, fields]) }
    }
    return { fields, key: last.key }
  }

  return {
    type: 'oauth_client_credentials',
    templates: [clientId, clientSecret, tokenUrl, ...(scope ? [scope] : []), ...(audience ? [audience] : []), ...extra.map(([, t]) => t)],
    tokenBased: true,
    apply (s) {
      const { fields, key } = request(s)
      const cached = deps.tokens.cached(key)
      if (cached !== undefined) return bearerOutcome(cached)
      return deps.tokens.token({
        key,
        connection: s.context.connection.id,
        fetch: async () => {
          const form: Array<readonly [string, string]> = [['grant_type', 'client_credentials']]
          if (!basic) form.push(['client_id', fields.id], ['client_secret', fields.secret])
          if (fields.scope !== undefined && fields.scope !== '') form.push(['scope', fields.scope])
          if (fields.audience !== undefined && fields.audience !== '') form.push(['audience', fields.audience])
          form.push(...fields.extra)
          const res = await requestToken({
            dispatcher,
            url: fields.url,
            form,
            ...(basic ? { basic: { username: fields.id, password: fields.secret } } : {}),
            timeoutMs: deps.tokenTimeoutMs,
          })
          return { access_token: res.access_token, usable_s: usableSeconds(parseExpiresIn(res.expires_in)) }
        },
      }).then(bearerOutcome)
    },
    async invalidate (s, rejected) {
      const token = bearerOf(rejected)
      if (token !== undefined) await deps.tokens.purge(request(s).key, token)
    },
  }
}

function sameValues (a: ReadonlyArray<string | undefined>, b: ReadonlyArray<string | undefined>): boolean {
  if (a.length !== b.length) return false
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false
  return true
}
