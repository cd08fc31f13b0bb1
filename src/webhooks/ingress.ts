/**
 * `POST /webhooks/:connection` (SPEC 13), step by step: the connection (404), its connector's
 * `webhooks` (401 without), the raw body within body_limit (413), the secret rendered for this
 * connection, the signature over the exact bytes (401), then the event queued with its dedupe
 * mark in one atomic step (202). Every refusal is the same 401 to the sender; the reason goes
 * to the log only, without any header or secret value. Nothing is queued unless all passed.
 */
import type { IncomingHttpHeaders } from 'node:http'
import type { Readable } from 'node:stream'
import { ANONYMOUS } from '../callers/types.js'
import type { TemplateCompiler } from '../config/semantic.js'
import { ID_PATTERN } from '../config/schema.js'
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

export interface WebhookDeps {
  runtime: () => Runtime
  connections: Pick<ConnectionService, 'lookup'>
  compiler: () => TemplateCompiler
  secrets: SecretLookup
  events: Pick<Events, 'publish' | 'settings'>
  now: () => number
}

export interface WebhookInput {
  connection: string
  headers: IncomingHttpHeaders
  body: Readable
  /** The request's logger. */
  log: { info (fields: object, message: string): void, warn (fields: object, message: string): void, error (fields: object, message: string): void }
}

export type WebhookOutcome = { status: 'queued', id: string } | { status: 'duplicate' }

const ID = new RegExp(ID_PATTERN)
const REFUSED = 'the webhook signature is missing, wrong or outside the tolerance'
const NO_QUERY = { values: {} }

export async function receiveWebhook (deps: WebhookDeps, input: WebhookInput): Promise<WebhookOutcome> {
  const conn = ID.test(input.connection) ? await deps.connections.lookup(input.connection) : undefined
  if (conn === undefined) throw new GatewayError('connection_not_found', 'no such connection')
  const webhooks = webhooksOf(conn, deps.compiler())
  const refuse = (reason: string): never => {
    input.log.warn({ connection: conn.id, reason }, 'webhook refused')
    throw new GatewayError('webhook_signature_invalid', REFUSED)
  }
  if (webhooks === undefined) return refuse('the connector has no webhooks')
  const settings = deps.events.settings()
  // Without server.events there is no key to sign the forwarded event with: the provider
  // is told to try again later rather than told it was delivered.
  if (settings === undefined) throw new GatewayError('internal_error', 'webhooks need server.events (url and secret) in the configuration')

  const body = await readBoundedBody(input.body, firstHeader(input.headers['content-length']), deps.runtime().config.server.body_limit_bytes)
  const secrets = await deps.secrets(webhooks.secrets)
  const context = templateContext(conn, ANONYMOUS, 'POST', '', NO_QUERY)
  const secret = renderSecret(conn, webhooks, context, secrets, refuse)
  const verified = webhooks.verifier.verify({ headers: input.headers, body }, { secret, nowMs: deps.now(), toleranceMs: webhooks.toleranceMs })
  if (verified === undefined) return refuse('signature')

  const destination = destinationOf(conn, webhooks, context, secrets, settings.url, deps.runtime().config.server.allow_private_upstreams)
  const event = makeEvent('webhook.received', {
    connection: conn.id,
    connector: conn.connector.slug,
    headers: eventHeaders(input.headers, webhooks.verifier.eventHeaders),
    body: body.toString('utf8'),
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

/** The secret for this connection; one that cannot be rendered, or is empty, verifies nothing. */
function renderSecret (conn: CompiledConnection, webhooks: CompiledWebhooks, context: TemplateContext,
  secrets: ReadonlyMap<string, string>, refuse: (reason: string) => never): string {
  let secret: string
  try {
    renderCredentials(conn, context, secrets)
    secret = webhooks.secret.render(context, secrets)
  } catch (err) {
    return refuse(`the webhook secret did not render (${isGatewayError(err) ? err.code : 'template_error'})`)
  }
  // An empty HMAC key is a key anyone can sign with.
  if (secret === '') return refuse('the webhook secret is empty')
  return secret
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
