/**
 * An HMAC over the public URL the provider called (`server.public_url` + `/webhooks/<id>` +
 * the query as received) and the request, in `header`, `encoding` of `algorithm`:
 * - `signed: url_and_form` (Twilio, `X-Twilio-Signature`, base64 HMAC-SHA1 keyed with the auth
 *   token): the URL, then each POST form parameter sorted by name (code-unit order; a repeated
 *   name's values sorted too), name and value appended without separators. A JSON body is
 *   signed through the URL instead: its `bodySHA256` query parameter must be the hex SHA-256
 *   of the body, and only the URL is signed. Twilio signs an https URL with or without :443,
 *   so both are tried, as its libraries do. https://www.twilio.com/docs/usage/webhooks/webhooks-security
 * - `signed: body_and_url` (Trello, `X-Trello-Webhook`, base64 HMAC-SHA1 keyed with the app
 *   secret): the body bytes, then the callback URL.
 *   https://developer.atlassian.com/cloud/trello/guides/rest-api/webhooks/
 * Nothing is timestamped: a captured request can be sent again within the provider's design.
 * Event id: `event_id` when configured, else the signature.
 */
import { createHash } from 'node:crypto'
import type { WebhookVerifyConfig } from '../../config/schema.js'
import { anySameSignature, hmac, sameSignature, single } from './compare.js'
import type { SchemeVerifier, WebhookRequest } from './types.js'

const FORM = 'application/x-www-form-urlencoded'
const HEX_SHA256 = /^[0-9a-fA-F]{64}$/

export function urlHmacVerifier (config: Pick<WebhookVerifyConfig, 'header' | 'algorithm' | 'encoding' | 'signed'>): SchemeVerifier {
  const header = (config.header ?? '').toLowerCase()
  const algorithm = config.algorithm ?? 'sha1'
  const encoding = config.encoding ?? 'base64'
  const signed = config.signed ?? 'url_and_form'
  const sign = (secret: string, parts: Array<string | Buffer>) => hmac(algorithm, secret, ...parts).toString(encoding)
  return {
    eventHeaders: [],
    verify (request, { secret }) {
      const presented = header === '' ? undefined : single(request.headers, header)
      if (presented === undefined) return undefined
      const value = encoding === 'hex' ? presented.trim().toLowerCase() : presented.trim()
      if (signed === 'body_and_url') {
        if (!sameSignature(sign(secret, [request.body, request.url]), value)) return undefined
        return { eventId: presented }
      }
      const content = twilioContent(request)
      if (content === undefined) return undefined
      const candidates = urlVariants(request.url).map((url) => sign(secret, [url, content]))
      if (!anySameSignature(value, candidates)) return undefined
      return { eventId: presented }
    },
  }
}

/** What follows the URL: the sorted form parameters, or nothing for a JSON body signed by its hash. */
function twilioContent (request: WebhookRequest): string | undefined {
  const bodyHash = request.query.getAll('bodySHA256')
  if (bodyHash.length > 0) {
    // The URL carries the body's hash: it must be the one of these bytes, and only once.
    if (bodyHash.length !== 1 || !HEX_SHA256.test(bodyHash[0]!)) return undefined
    const actual = createHash('sha256').update(request.body).digest('hex')
    return sameSignature(actual, bodyHash[0]!.toLowerCase()) ? '' : undefined
  }
  const type = (single(request.headers, 'content-type') ?? '').split(';', 1)[0]!.trim().toLowerCase()
  if (request.body.length === 0) return ''
  if (type !== FORM) return undefined
  const byName = new Map<string, string[]>()
  for (const [name, value] of new URLSearchParams(request.body.toString('utf8'))) {
    const values = byName.get(name)
    if (values === undefined) byName.set(name, [value])
    else values.push(value)
  }
  let content = ''
  for (const name of [...byName.keys()].sort(byCodeUnit)) {
    for (const value of byName.get(name)!.sort(byCodeUnit)) content += name + value
  }
  return content
}

function byCodeUnit (a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}

/** The URL as configured, and with the scheme's default port added or removed. */
function urlVariants (url: string): string[] {
  const match = /^(https?):\/\/([^/?#]*)(.*)$/s.exec(url)
  if (match === null) return [url]
  const [, scheme, authority, rest] = match as unknown as [string, string, string, string]
  const port = scheme === 'https' ? '443' : '80'
  const variants = [url]
  if (authority.endsWith(`:${port}`)) variants.push(`${scheme}://${authority.slice(0, -port.length - 1)}${rest}`)
  else if (!/:\d+$/.test(authority)) variants.push(`${scheme}://${authority}:${port}${rest}`)
  return variants
}
