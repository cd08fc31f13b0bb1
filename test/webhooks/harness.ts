/**
 * Shared set-up of the webhook and event tests: a gateway config with one connection per
 * verifier type, the secrets it seals, an event receiver (a real HTTP server that records what
 * it got and answers with the statuses a test queues), signatures made the providers' way, and
 * a clock the tests move forward to make retries due without waiting.
 */
import { createHmac, randomBytes } from 'node:crypto'
import Stripe from 'stripe'
import { sign as githubSign } from '@octokit/webhooks-methods'
import { Webhook } from 'standardwebhooks'
import { startGateway, type TestGateway } from '../helpers/gateway.js'
import type { TeardownHost, TestRedis } from '../helpers/redis.js'
import { recordingUpstream, type Received, type RecordingUpstream } from '../helpers/upstream.js'

const whsec = () => `whsec_${randomBytes(24).toString('base64')}`

export const SECRETS = {
  admin_key: 'admin-key-webhooks-7f3a',
  caller_key: 'caller-key-webhooks-2b9c',
  events_secret: whsec(),
  stripe_whsec: whsec(),
  stripe_whsec_other: whsec(),
  github_secret: `gh-${randomBytes(12).toString('hex')}`,
  slack_secret: `slack-${randomBytes(12).toString('hex')}`,
  shopify_secret: `shpss_${randomBytes(12).toString('hex')}`,
  standard_secret: whsec(),
  acme_secret: `acme-${randomBytes(12).toString('hex')}`,
  zoom_secret: `zoomsecret${randomBytes(11).toString('hex')}`,
  calendly_key: `calkey${randomBytes(16).toString('hex')}`,
  twilio_token: randomBytes(16).toString('hex'),
  trello_secret: randomBytes(32).toString('hex'),
  gitlab_token: `gltoken-${randomBytes(12).toString('hex')}`,
  teams_state: `clientstate-${randomBytes(12).toString('hex')}`,
  monday_secret: randomBytes(16).toString('hex'),
  figma_passcode: `figmapass-${randomBytes(12).toString('hex')}`,
}

/** The public URL the catalog-connector tests configure (the URL Twilio and Trello sign). */
export const PUBLIC_URL = 'https://hooks.example.com'

/** One connection per catalog connector whose webhooks these tests check, server.public_url set. */
export function catalogWebhookConfig (options: Omit<ConfigOptions, 'server' | 'connections'> & { connections?: string }): string {
  const cred = (name: string) => `"{{ get_secret('${name}') }}"`
  return webhookConfig({
    ...options,
    server: `  public_url: "${PUBLIC_URL}"`,
    connections: `  zoom-main: { connector: zoom, credentials: { webhook_secret: ${cred('zoom_secret')} } }
  calendly-main: { connector: calendly, credentials: { token: cal_pat, webhook_secret: ${cred('calendly_key')} } }
  twilio-main: { connector: twilio, config: { account_sid: AC0123456789abcdef0123456789abcdef }, credentials: { auth_token: ${cred('twilio_token')} } }
  trello-main: { connector: trello, config: { api_key: 0123456789abcdef0123456789abcdef }, credentials: { token: trello_tok, api_secret: ${cred('trello_secret')} } }
  gitlab-main: { connector: gitlab, auth: token, credentials: { token: glpat-abc, webhook_secret: ${cred('gitlab_token')} } }
  teams-main: { connector: microsoft-teams, credentials: { webhook_secret: ${cred('teams_state')} } }
  monday-main: { connector: monday, credentials: { token: mon_tok, webhook_secret: ${cred('monday_secret')} } }
  figma-main: { connector: figma, credentials: { token: figd_abc, webhook_secret: ${cred('figma_passcode')} } }
  asana-main: { connector: asana, auth: token, credentials: { token: asana_pat } }
${options.connections ?? ''}`,
  })
}
export const ADMIN = { 'x-latchkey-key': SECRETS.admin_key }

export interface Receiver extends RecordingUpstream {
  /** Statuses for the next requests, in order; 200 once they are used up. */
  answers: number[]
  /** The requests that got a 2xx. */
  accepted (): Received[]
}

export async function eventReceiver (t: TeardownHost): Promise<Receiver> {
  const answered: number[] = []
  const answers: number[] = []
  const receiver = await recordingUpstream(t, (_req, res) => {
    const status = answers.shift() ?? 200
    answered.push(status)
    res.writeHead(status, { 'content-type': 'text/plain' }).end(status < 300 ? 'ok' : 'no')
  })
  return Object.assign(receiver, {
    answers,
    accepted: () => receiver.received.filter((_r, i) => (answered[i] ?? 0) >= 200 && (answered[i] ?? 0) < 300),
  })
}

export interface ConfigOptions {
  receiverUrl: string
  redis?: TestRedis
  server?: string
  /** More connectors and connections, YAML indented by two spaces. */
  connectors?: string
  connections?: string
}

export function webhookConfig (options: ConfigOptions): string {
  const { redis } = options
  const shared = redis === undefined
    ? ''
    : `store: { type: redis, url: "${redis.url}", key_prefix: "${redis.prefix}" }\ncache: { type: redis, url: "${redis.url}", key_prefix: "${redis.prefix}" }\n`
  const cred = (name: string) => `"{{ get_secret('${name}') }}"`
  return `${shared}server:
  allow_private_upstreams: true
  events: { url: "${options.receiverUrl}/events", secret: ${cred('events_secret')} }
${options.server ?? ''}
callers:
  api_keys:
    ops: { key: ${cred('admin_key')}, admin: true }
    app: { key: ${cred('caller_key')} }
connectors:
  acme:
    base_url: https://api.acme.example
    inputs: [{ name: webhook_secret, type: password }]
    webhooks:
      verify: { type: hmac, secret: "{{ connection.credentials.webhook_secret }}", header: X-Acme-Signature, prefix: "sha256=" }
  std:
    base_url: https://api.std.example
    webhooks:
      verify: { type: standard, secret: ${cred('standard_secret')}, tolerance: 300s }
  plain:
    base_url: https://api.plain.example
${options.connectors ?? ''}
connections:
  stripe-main: { connector: stripe, credentials: { api_key: sk_test_abc, webhook_secret: ${cred('stripe_whsec')} } }
  stripe-other: { connector: stripe, credentials: { api_key: sk_test_def, webhook_secret: ${cred('stripe_whsec_other')} } }
  stripe-nosecret: { connector: stripe, credentials: { api_key: sk_test_ghi } }
  github-main: { connector: github, credentials: { token: ghp_abc, webhook_secret: ${cred('github_secret')} } }
  slack-main: { connector: slack, credentials: { token: xoxb-abc, webhook_secret: ${cred('slack_secret')} } }
  shopify-main: { connector: shopify, config: { shop: acme }, credentials: { access_token: shpat_abc, webhook_secret: ${cred('shopify_secret')} } }
  acme-main: { connector: acme, credentials: { webhook_secret: ${cred('acme_secret')} } }
  std-main: { connector: std }
  plain-main: { connector: plain }
${options.connections ?? ''}`
}

/** A clock the test moves forward: retries become due at once instead of in seconds. */
export function movableClock (): { now: () => number, advance (ms: number): void } {
  let offset = 0
  return { now: () => Date.now() + offset, advance: (ms) => { offset += ms } }
}

export async function startWebhookGateway (t: TeardownHost, yaml: string, options: { clock?: () => number, env?: NodeJS.ProcessEnv } = {}): Promise<TestGateway> {
  return startGateway(t, yaml, { secrets: SECRETS, ...options })
}

// ---- signatures, made the providers' way -------------------------------------------------

const stripe = new Stripe('sk_test_harness')

export function stripeHeaders (payload: string, secret: string, timestampSeconds = Math.floor(Date.now() / 1000)): Record<string, string> {
  return { 'content-type': 'application/json', 'stripe-signature': stripe.webhooks.generateTestHeaderString({ payload, secret, timestamp: timestampSeconds }) }
}

export async function githubHeaders (payload: string, secret: string, delivery: string): Promise<Record<string, string>> {
  return {
    'content-type': 'application/json',
    'x-github-event': 'push',
    'x-github-delivery': delivery,
    'x-hub-signature-256': await githubSign(secret, payload),
  }
}

/** https://docs.slack.dev/authentication/verifying-requests-from-slack */
export function slackHeaders (payload: string, secret: string, timestampSeconds = Math.floor(Date.now() / 1000)): Record<string, string> {
  const signature = `v0=${createHmac('sha256', secret).update(`v0:${timestampSeconds}:${payload}`).digest('hex')}`
  return { 'content-type': 'application/json', 'x-slack-request-timestamp': String(timestampSeconds), 'x-slack-signature': signature }
}

/** https://shopify.dev/docs/apps/build/webhooks/subscribe/https#step-5-verify-the-webhook */
export function shopifyHeaders (payload: string, secret: string, webhookId: string): Record<string, string> {
  return {
    'content-type': 'application/json',
    'x-shopify-topic': 'orders/create',
    'x-shopify-shop-domain': 'acme.myshopify.com',
    'x-shopify-webhook-id': webhookId,
    'x-shopify-hmac-sha256': createHmac('sha256', secret).update(payload).digest('base64'),
  }
}

export function standardHeaders (payload: string, secret: string, id: string, at = new Date()): Record<string, string> {
  return {
    'content-type': 'application/json',
    'webhook-id': id,
    'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
    'webhook-signature': new Webhook(secret).sign(id, at, payload),
  }
}

export function acmeHeaders (payload: string | Buffer, secret: string): Record<string, string> {
  return { 'content-type': 'application/octet-stream', 'x-acme-signature': `sha256=${createHmac('sha256', secret).update(payload).digest('hex')}` }
}

/** https://developers.zoom.us/docs/api/webhooks/#verify-webhook-events */
export function zoomHeaders (payload: string, secret: string, timestampSeconds = Math.floor(Date.now() / 1000)): Record<string, string> {
  const signature = `v0=${createHmac('sha256', secret).update(`v0:${timestampSeconds}:${payload}`).digest('hex')}`
  return { 'content-type': 'application/json; charset=utf-8', 'x-zm-request-timestamp': String(timestampSeconds), 'x-zm-signature': signature }
}

/** https://developer.calendly.com/api-docs/overview/webhooks/webhook-signatures */
export function calendlyHeaders (payload: string, key: string, timestampSeconds = Math.floor(Date.now() / 1000)): Record<string, string> {
  const v1 = createHmac('sha256', key).update(`${timestampSeconds}.${payload}`).digest('hex')
  return { 'content-type': 'application/json; charset=utf-8', 'calendly-webhook-signature': `t=${timestampSeconds},v1=${v1}` }
}

/**
 * https://www.twilio.com/docs/usage/webhooks/webhooks-security: the full URL, then each POST
 * parameter sorted by name, name and value appended; base64 HMAC-SHA1 with the auth token.
 */
export function twilioSignature (authToken: string, url: string, params: Record<string, string>): string {
  let data = url
  for (const name of Object.keys(params).sort()) data += name + params[name]
  return createHmac('sha1', authToken).update(data).digest('base64')
}

/** https://developer.atlassian.com/cloud/trello/guides/rest-api/webhooks/ */
export function trelloSignature (payload: string, secret: string, callbackUrl: string): string {
  return createHmac('sha1', secret).update(payload + callbackUrl).digest('base64')
}

// ---- what the receiver got ---------------------------------------------------------------

export interface ReceivedEvent {
  type: string
  id: string
  timestamp: string
  data: Record<string, unknown>
}

/** The event in one received request, its Standard Webhooks signature checked by the `standardwebhooks` package. */
export function verifiedEvent (received: Received, secret = SECRETS.events_secret): ReceivedEvent {
  const body = received.body.toString('utf8')
  const event = new Webhook(secret).verify(body, {
    'webhook-id': received.headers['webhook-id'] ?? '',
    'webhook-timestamp': received.headers['webhook-timestamp'] ?? '',
    'webhook-signature': received.headers['webhook-signature'] ?? '',
  }) as ReceivedEvent
  if (event.id !== received.headers['webhook-id']) throw new Error('body id differs from webhook-id')
  return event
}

/** Waits (polling, no fixed sleep) until `ready()` holds; fails after `ms`. */
export async function until (ready: () => boolean, ms = 4000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + ms
  while (!ready()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
}

export function postWebhook (gw: TestGateway, connection: string, body: string | Buffer, headers: Record<string, string>): Promise<Response> {
  return gw.fetch(`/webhooks/${connection}`, { method: 'POST', headers, body })
}

/**
 * Moves the clock forward a step at a time and wakes the deliverer until `ready()` holds: the
 * retries of the schedule come due without the test waiting for them.
 */
export async function pumpUntil (gw: TestGateway, clock: { advance (ms: number): void }, ready: () => boolean, stepMs = 10_000, what = 'deliveries'): Promise<void> {
  const deadline = Date.now() + 4000
  while (!ready()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    clock.advance(stepMs)
    gw.gateway.events.wake()
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}
