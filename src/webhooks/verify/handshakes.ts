/**
 * `verify.handshake`: requests a provider sends to prove the endpoint, answered without being
 * forwarded. Every echo of caller input is bounded in length, limited to printable ASCII (so
 * never a header break) and sent as text/plain or JSON-encoded, with nosniff.
 * - `zoom_url_validation`: `{"event":"endpoint.url_validation","payload":{"plainToken"}}`,
 *   answered `{plainToken, encryptedToken: hex HMAC-SHA256(secret, plainToken)}`. The request
 *   must carry a valid signature itself (Zoom signs it), so the answer is no HMAC oracle for
 *   strangers; the token is also limited to [A-Za-z0-9_-] (never a signed `v0:` string).
 *   https://developers.zoom.us/docs/api/webhooks/#validate-your-webhook-endpoint
 * - `validation_token`: Microsoft Graph's `?validationToken=…`, echoed as text/plain 200.
 *   https://learn.microsoft.com/en-us/graph/change-notifications-delivery-webhooks
 * - `challenge`: monday.com's `{"challenge": "…"}` (that one field only), echoed as JSON 200.
 *   https://developer.monday.com/api-reference/docs/webhooks
 * - `head`: Trello's HEAD on webhook creation, answered 200 without a body.
 *   https://developer.atlassian.com/cloud/trello/guides/rest-api/webhooks/
 * - `hook_secret`: Asana's `X-Hook-Secret` on webhook creation: echoed in the same header, and
 *   captured as the connection's secret, only inside a window an operator armed (ingress.ts).
 *   https://developers.asana.com/docs/webhooks-guide (and /reference/createwebhook)
 * Answers reveal no secret and change nothing, except the capture, which the ingress gates.
 */
import type { WebhookVerifyConfig } from '../../config/schema.js'
import { hmac, parseJson, single } from './compare.js'
import type { HandshakeAnswer, HandshakeContext, HandshakeResult, SchemeVerifier, WebhookRequest } from './types.js'

export type Handshake = (request: WebhookRequest, context: HandshakeContext, scheme: SchemeVerifier) =>
  HandshakeResult | undefined | Promise<HandshakeResult | undefined>

const PRINTABLE = /^[\x20-\x7e]{1,1024}$/
const ZOOM_TOKEN = /^[A-Za-z0-9_-]{1,256}$/
const HOOK_SECRET = /^[\x21-\x7e]{16,512}$/
const NOSNIFF = { 'x-content-type-options': 'nosniff', 'cache-control': 'no-store' }

const refuse = (reason: string): HandshakeResult => ({ kind: 'refuse', reason })
const answer = (value: HandshakeAnswer): HandshakeResult => ({ kind: 'answer', answer: value })
const json = (value: unknown): HandshakeAnswer => ({ status: 200, headers: { ...NOSNIFF, 'content-type': 'application/json; charset=utf-8' }, body: JSON.stringify(value) })

const zoomUrlValidation: Handshake = async (request, context, scheme) => {
  if (request.method !== 'POST') return undefined
  const body = parseJson(request.body) as { event?: unknown, payload?: { plainToken?: unknown } } | undefined
  if (typeof body !== 'object' || body === null || body.event !== 'endpoint.url_validation') return undefined
  if (context.secret === undefined) return refuse('the webhook secret did not render')
  const signed = await scheme.verify(request, { secret: context.secret, nowMs: context.nowMs, toleranceMs: context.toleranceMs })
  if (signed === undefined) return refuse('signature (url validation)')
  const plainToken = body.payload?.plainToken
  if (typeof plainToken !== 'string' || !ZOOM_TOKEN.test(plainToken)) return refuse('url validation without a well-formed plainToken')
  return answer(json({ plainToken, encryptedToken: hmac('sha256', context.secret, plainToken).toString('hex') }))
}

const validationToken: Handshake = (request) => {
  if (request.method !== 'POST' || !request.query.has('validationToken')) return undefined
  const tokens = request.query.getAll('validationToken')
  if (tokens.length !== 1 || !PRINTABLE.test(tokens[0]!)) return refuse('validationToken missing, repeated, too long or not printable')
  return answer({ status: 200, headers: { ...NOSNIFF, 'content-type': 'text/plain; charset=utf-8' }, body: tokens[0]! })
}

const challenge: Handshake = (request) => {
  if (request.method !== 'POST') return undefined
  const body = parseJson(request.body)
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return undefined
  const keys = Object.keys(body)
  if (keys.length !== 1 || keys[0] !== 'challenge') return undefined
  const value = (body as { challenge: unknown }).challenge
  if (typeof value !== 'string' || !PRINTABLE.test(value)) return refuse('challenge too long or not printable')
  return answer(json({ challenge: value }))
}

const head: Handshake = (request) => request.method === 'HEAD'
  ? answer({ status: 200, headers: { 'cache-control': 'no-store' }, body: '' })
  : undefined

const hookSecret: Handshake = (request) => {
  if (request.method !== 'POST' || request.headers['x-hook-secret'] === undefined) return undefined
  const secret = single(request.headers, 'x-hook-secret')
  if (secret === undefined || !HOOK_SECRET.test(secret)) return refuse('X-Hook-Secret repeated, too short, too long or not printable')
  return { kind: 'capture', secret, answer: { status: 200, headers: { 'x-hook-secret': secret, 'cache-control': 'no-store' }, body: '' } }
}

export function handshakeFor (name: WebhookVerifyConfig['handshake']): Handshake | undefined {
  switch (name) {
    case undefined: return undefined
    case 'zoom_url_validation': return zoomUrlValidation
    case 'validation_token': return validationToken
    case 'challenge': return challenge
    case 'head': return head
    case 'hook_secret': return hookSecret
    default: {
      const unknown: never = name
      throw new Error(`unknown webhook handshake ${String(unknown)}`)
    }
  }
}
