/**
 * `POST /webhooks/:connection` (SPEC 13), step by step: the connection (404), its connector's
 * `webhooks` (401 without), the raw body within body_limit (413), the secret rendered for this
 * connection (or captured by a handshake); then either a handshake, answered by what the
 * verifier says and never forwarded, or the signature over the exact bytes (401), then the
 * event queued with its dedupe mark in one atomic step (202). HEAD is only a handshake. Every
 * refusal is the same 401 to the sender; the reason goes to the log only, without any header
 * or secret value. Nothing is queued unless all passed.
 */
import type { IncomingHttpHeaders } from 'node:http'
import type { Readable } from 'node:stream'
import { ANONYMOUS } from '../callers/types.js'
import type { TemplateCompiler } from '../config/semantic.js'
import { ID_PATTERN } from '../config/patterns.js'
import type { ConnectionService } from '../connections/service.js'
import { GatewayError, isGatewayError } from '../errors.js'
import type { Events } from '../events/open.js'
import { makeEvent, type Destination } from '../events/event.js'
import { checkTemplatedHost } from '../proxy/base-url.js'
import { readBoundedBody } from '../proxy/bounded-body.js'
import { renderCredentials, templateContext } from '../proxy/request-context.js'
import type { Runtime } from '../runtime/build.js'
import type { CompiledConnection } from '../runtime/connection.js'
import type { SecretLookup } from '../runtime/secrets.js'
import type { TemplateContext } from '../templates/types.js'
import { webhooksOf, type CompiledWebhooks } from './compile.js'
import { captureSecret, capturedSecretId, type HookSecretStore } from './hook-secret.js'
import type { HandshakeAnswer, HandshakeResult, WebhookRequest } from './verify/index.js'

export interface WebhookDeps {
  runtime: () => Runtime
  connections: Pick<ConnectionService, 'lookup'>
  compiler: () => TemplateCompiler
  secrets: SecretLookup
  /** Where secrets captured in a handshake, and the windows armed for them, are sealed. */
  store: HookSecretStore
  events: Pick<Events, 'publish' | 'settings'>
  now: () => number
}

export interface WebhookInput {
  connection: string
  method: 'POST' | 'HEAD'
  /** The path and query as received. */
  url: string
  headers: IncomingHttpHeaders
  body: Readable
  /** The request's logger. */
  log: { info (fields: object, message: string): void, warn (fields: object, message: string): void, error (fields: object, message: string): void }
}

export type WebhookOutcome =
  | { status: 'queued', id: string }
  | { status: 'duplicate' }
  /** A handshake, answered as it says and never forwarded. */
  | { status: 'answered', answer: HandshakeAnswer }

const ID = new RegExp(ID_PATTERN)
const REFUSED = 'the webhook signature is missing, wrong or outside the tolerance'
const NO_QUERY = { values: {} }
const EMPTY = Buffer.alloc(0)

export async function receiveWebhook (deps: WebhookDeps, input: WebhookInput): Promise<WebhookOutcome> {
  const conn = ID.test(input.connection) ? await deps.connections.lookup(input.connection) : undefined
  if (conn === undefined) throw new GatewayError('connection_not_found', 'no such connection')
  const webhooks = webhooksOf(conn, deps.compiler())
  const refuse = (reason: string): never => {
    input.log.warn({ connection: conn.id, reason }, 'webhook refused')
    throw new GatewayError('webhook_signature_invalid', REFUSED)
  }
  if (webhooks === undefined) return refuse('the connector has no webhooks')
  const config = deps.runtime().config.server

  const body = input.method === 'HEAD' ? EMPTY : await readBoundedBody(input.body, firstHeader(input.headers['content-length']), config.body_limit_bytes)
  const request = webhookRequest(input, body, config.public_url, conn.id)
  const secrets = await deps.secrets(webhooks.secrets)
  const context = templateContext(conn, ANONYMOUS, 'POST', '', NO_QUERY)
  const secret = await secretOf(deps, conn, webhooks, context, secrets)
  const nowMs = deps.now()

  // Step 1: a handshake is answered here, and goes no further.
  const handshake = await webhooks.verifier.handshake?.(request, { secret: secret.value, nowMs, toleranceMs: webhooks.toleranceMs })
  if (handshake !== undefined) return answerHandshake(deps, conn.id, request, handshake, refuse, input.log)
  if (input.method === 'HEAD') throw new GatewayError('method_not_allowed', 'this route takes POST', { headers: { allow: 'POST' } })

  // Step 2: a delivery, verified, queued once.
  const settings = deps.events.settings()
  // Without server.events there is no key to sign the forwarded event with: the provider
  // is told to try again later rather than told it was delivered.
  if (settings === undefined) throw new GatewayError('internal_error', 'webhooks need server.events (url and secret) in the configuration')
  if (secret.value === undefined) return refuse(secret.reason)
  const verified = await webhooks.verifier.verify(request, { secret: secret.value, nowMs, toleranceMs: webhooks.toleranceMs })
  if (verified === undefined) return refuse('signature')

  const destination = destinationOf(conn, webhooks, context, secrets, settings.url, config.allow_private_upstreams)
  const event = makeEvent('webhook.received', {
    connection: conn.id,
    connector: conn.connector.slug,
    headers: eventHeaders(input.headers, webhooks.verifier.eventHeaders),
    body: verified.forwardBody ?? body.toString('utf8'),
  }, destination, deps.now())
  let outcome: 'queued' | 'duplicate'
  try {
    outcome = await deps.events.publish(event, { key: `${conn.id}\n${verified.eventId}`, ttlMs: webhooks.toleranceMs })
  } catch (err) {
    input.log.error({ err, connection: conn.id }, 'webhook could not be queued')
    throw new GatewayError('not_ready', 'the event queue is not reachable; send the webhook again later')
  }
  input.log.info({ connection: conn.id, event: event.id, duplicate: outcome === 'duplicate' }, outcome === 'queued' ? 'webhook queued' : 'webhook repeated: acknowledged, not forwarded again')
  return outcome === 'queued' ? { status: 'queued', id: event.id } : { status: 'duplicate' }
}

function webhookRequest (input: WebhookInput, body: Buffer, publicUrl: string, connection: string): WebhookRequest {
  const at = input.url.indexOf('?')
  const search = at < 0 ? '' : input.url.slice(at)
  return {
    method: input.method,
    headers: input.headers,
    body,
    url: `${publicUrl}/webhooks/${connection}${search}`,
    query: new URLSearchParams(search),
  }
}

/** A capture is taken only inside a window an operator armed, with its one-time nonce. */
async function answerHandshake (deps: WebhookDeps, connection: string, request: WebhookRequest, result: HandshakeResult,
  refuse: (reason: string) => never, log: WebhookInput['log']): Promise<WebhookOutcome> {
  if (result.kind === 'refuse') return refuse(result.reason)
  if (result.kind === 'capture') {
    let captured: boolean
    try {
      captured = await captureSecret(deps.store, connection, request.query.get('handshake') ?? undefined, result.secret, deps.now())
    } catch (err) {
      log.error({ err: { code: isGatewayError(err) ? err.code : 'store_error' }, connection }, 'webhook secret could not be stored')
      throw new GatewayError('not_ready', 'the secret store is not reachable; try the handshake again later')
    }
    if (!captured) return refuse('handshake secret offered without an armed handshake and its nonce')
    log.info({ connection }, 'webhook secret captured from an armed handshake')
  } else {
    log.info({ connection }, 'webhook handshake answered')
  }
  return { status: 'answered', answer: result.answer }
}

/** The secret: the rendered template, or the one a handshake captured; undefined with the reason. */
async function secretOf (deps: WebhookDeps, conn: CompiledConnection, webhooks: CompiledWebhooks, context: TemplateContext,
  secrets: ReadonlyMap<string, string>): Promise<{ value: string, reason?: undefined } | { value: undefined, reason: string }> {
  let value: string | undefined
  if (webhooks.secret === undefined) {
    value = await deps.store.get('secret', capturedSecretId(conn.id))
    if (value === undefined) return { value: undefined, reason: 'no secret captured yet: arm a handshake' }
  } else {
    try {
      renderCredentials(conn, context, secrets)
      value = webhooks.secret.render(context, secrets)
    } catch (err) {
      return { value: undefined, reason: `the webhook secret did not render (${isGatewayError(err) ? err.code : 'template_error'})` }
    }
  }
  // An empty HMAC key is a key anyone can sign with.
  if (value === '') return { value: undefined, reason: 'the webhook secret is empty' }
  return { value }
}

/** `forward_to` rendered (a templated host checked as SPEC 6.4), else `server.events.url`. */
function destinationOf (conn: CompiledConnection, webhooks: CompiledWebhooks, context: TemplateContext,
  secrets: ReadonlyMap<string, string>, eventsUrl: string, allowPrivate: boolean): Destination {
  const template = webhooks.forwardTo
  if (template === undefined) return { url: eventsUrl, guarded: false }
  if (template.isStatic) return { url: template.source, guarded: false }
  let url: URL
  try {
    url = new URL(template.render(context, secrets))
  } catch (err) {
    if (isGatewayError(err)) throw err
    throw new GatewayError('template_error', 'forward_to did not render to an absolute URL')
  }
  checkTemplatedHost(url, conn.allowedHosts, allowPrivate)
  return { url: url.href, guarded: true }
}

function eventHeaders (headers: IncomingHttpHeaders, names: readonly string[]): Record<string, string> {
  const picked: Record<string, string> = {}
  for (const name of ['content-type', ...names]) {
    const value = firstHeader(headers[name])
    if (value !== undefined) picked[name] = value
  }
  return picked
}

function firstHeader (value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value
}
