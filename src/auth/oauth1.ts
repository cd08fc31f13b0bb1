/**
 * `oauth1`: an RFC 5849 `Authorization: OAuth ...` header, signed per request over the method,
 * the base string URI, the query and the form-encoded body parameters (3.4.1).
 *
 * Hand-rolled on node:crypto rather than the `oauth-1.0a` package: that package collects the
 * parameters in an object, so a name in both the query and the body keeps one value (the RFC's
 * own example, `a3`, has two), it never decodes names (`c%40` is signed as `c%2540`), reads `+`
 * in the query as `+` rather than a space, and draws its nonce from Math.random.
 */
import { createHmac, randomBytes } from 'node:crypto'
import type { AuthMethodOf } from '../config/schema.js'
import type { AuthDeps } from './types.js'
import { render, type AuthMethod, type SignedRequest } from './types.js'

type Pairs = ReadonlyArray<readonly [name: string, value: string]>
export type SignatureMethod = 'HMAC-SHA1' | 'HMAC-SHA256' | 'PLAINTEXT'

export function oauth1Method (config: AuthMethodOf<'oauth1'>, deps: AuthDeps): AuthMethod {
  const compile = (text: string) => deps.compiler.compile(text, 'auth')
  const consumerKey = compile(config.consumer_key)
  const consumerSecret = compile(config.consumer_secret)
  const token = compile(config.token)
  const tokenSecret = compile(config.token_secret)
  const realm = config.realm === undefined ? undefined : compile(config.realm)
  const signatureMethod: SignatureMethod = config.signature_method ?? 'HMAC-SHA1'
  return {
    type: 'oauth1',
    templates: [consumerKey, consumerSecret, token, tokenSecret, ...(realm === undefined ? [] : [realm])],
    tokenBased: false,
    signsRequest: true,
    apply (scope) {
      if (scope.request === undefined) throw new Error('oauth1 needs the upstream request to sign it')
      const params: Array<[string, string]> = [
        ['oauth_consumer_key', render(consumerKey, scope)],
        // 16 random bytes, URL-safe: only unreserved characters, nothing to encode.
        ['oauth_nonce', randomBytes(16).toString('base64url')],
        ['oauth_signature_method', signatureMethod],
        ['oauth_timestamp', String(Math.floor(deps.now() / 1000))],
        ['oauth_version', '1.0'],
      ]
      const tokenValue = render(token, scope)
      // 3.1: oauth_token may be omitted when the request has no token (two-legged).
      if (tokenValue !== '') params.push(['oauth_token', tokenValue])
      const key = `${percentEncode(render(consumerSecret, scope))}&${percentEncode(render(tokenSecret, scope))}`
      const signature = sign(signatureMethod, key, signatureBaseString(scope.request, params))
      params.push(['oauth_signature', signature])
      params.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      // 3.5.1: realm first, a quoted-string outside the signature; the rest percent-encoded.
      const fields = params.map(([name, value]) => `${name}="${percentEncode(value)}"`)
      if (realm !== undefined) fields.unshift(`realm="${render(realm, scope).replace(/["\\]/g, '\\$&')}"`)
      return { headers: [['authorization', `OAuth ${fields.join(', ')}`]], query: [] }
    },
  }
}

function sign (method: SignatureMethod, key: string, baseString: string): string {
  switch (method) {
    case 'HMAC-SHA1': return createHmac('sha1', key).update(baseString, 'utf8').digest('base64')
    case 'HMAC-SHA256': return createHmac('sha256', key).update(baseString, 'utf8').digest('base64')
    // 3.4.4: the key itself; the base string is unused.
    case 'PLAINTEXT': return key
  }
}

/** RFC 5849 3.4.1: `METHOD&encode(base string URI)&encode(normalized parameters)`. */
export function signatureBaseString (request: SignedRequest, oauthParams: Pairs): string {
  const params = [...request.query, ...(request.form ?? []), ...oauthParams]
  return [request.method.toUpperCase(), baseStringUri(request.url), normalizeParameters(params)].map(percentEncode).join('&')
}

/** 3.4.1.2: scheme and host in lower case, the default port left out, the path as sent. */
export function baseStringUri (url: string): string {
  const pathAt = url.indexOf('/', url.indexOf('//') + 2)
  // The origin through URL (lower case, default port dropped); the path untouched, as sent.
  const origin = new URL(pathAt === -1 ? url : url.slice(0, pathAt))
  return `${origin.protocol}//${origin.host}${pathAt === -1 ? '/' : url.slice(pathAt)}`
}

/** 3.4.1.3.2: encode every name and value, sort by name then value (byte order), join. */
export function normalizeParameters (params: Pairs): string {
  const encoded = params.map(([name, value]) => [percentEncode(name), percentEncode(value)] as const)
  // Encoded strings are ASCII, so comparing UTF-16 code units is comparing bytes.
  encoded.sort(([an, av], [bn, bv]) => (an < bn ? -1 : an > bn ? 1 : av < bv ? -1 : av > bv ? 1 : 0))
  return encoded.map(([name, value]) => `${name}=${value}`).join('&')
}

/** 3.6: RFC 3986 unreserved characters stay, every other UTF-8 byte becomes `%XX`. */
export function percentEncode (text: string): string {
  return encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
}
