/**
 * `GET /connect/oauth/callback?code&state` (SPEC 8): the provider sends the browser back here.
 * The state is taken once (and must come with the browser-binding cookie), the code is exchanged,
 * metadata, redirect_metadata and post_connect fill the config, the connector test runs, and only
 * then is the session consumed and the connection stored. Every failure stores nothing and ends
 * on an error page, or at return_to with `status=error&error=<code>`. The code, the verifier,
 * the client secret and the tokens are never logged, shown or put in a redirect.
 */
import type { FastifyBaseLogger } from 'fastify'
import type { ResolvedConnector } from '../../config/model.js'
import type { ConnectionDraft } from '../../connections/draft.js'
import { isGatewayError } from '../../errors.js'
import { checkClaim, sessionDraft, testDraft } from '../connection-to-be.js'
import type { ConnectDeps } from '../deps.js'
import { returnUrl } from '../return-to.js'
import type { ConnectSession, OAuthStateRecord } from '../sessions.js'
import { bindingMatches } from './cookie.js'
import { exchangeCode } from './exchange.js'
import { redirectMetadata, tokenMetadata } from './metadata.js'
import { PostConnectError, runPostConnect } from './post-connect.js'
import { isStateShaped, stateBinding, stateKey } from './state.js'
import { flowContext, oauthTemplates, type OAuth2Method } from './templates.js'

export type CallbackOutcome =
  | { kind: 'redirect', location: string }
  | { kind: 'message', status: number, title: string, message: string, good?: boolean, connector?: ResolvedConnector }

/**
 * Authorization-endpoint errors (RFC 6749 4.1.2.1, OpenID Connect Core 3.1.2.6): the only
 * provider `error` values repeated to return_to; any other is `authorization_failed`.
 */
const AUTHORIZE_ERRORS = new Set([
  'invalid_request', 'unauthorized_client', 'access_denied', 'unsupported_response_type', 'invalid_scope',
  'server_error', 'temporarily_unavailable', 'interaction_required', 'login_required', 'account_selection_required',
  'consent_required', 'invalid_request_uri', 'invalid_request_object', 'request_not_supported',
  'request_uri_not_supported', 'registration_not_supported',
])

type End = { connection: string, return_to: string | null }

const INVALID_STATE = 'This sign-in could not be matched to a connect link: it is unknown, expired or already used, or it was started in another browser. Open the connect link again.'

export async function completeOAuth (deps: ConnectDeps, query: Readonly<Record<string, unknown>>, cookie: string | string[] | undefined, log: FastifyBaseLogger): Promise<CallbackOutcome> {
  const runtime = deps.runtime()
  const state = query.state
  // A state we never made has no session, hence no return_to: a page.
  if (!isStateShaped(state)) return page(400, 'Cannot connect', INVALID_STATE)
  const taken = await deps.sessions.takeOAuthState(stateKey(state))
  if (taken.state === 'unknown') return page(400, 'Cannot connect', INVALID_STATE)
  if (taken.state === 'used') {
    log.info({ connection: taken.used.connection }, 'oauth callback: state already used, nothing stored')
    return errorEnd(taken.used, 400, 'invalid_state', INVALID_STATE)
  }
  const record = taken.record
  const end: End = { connection: record.connection, return_to: record.return_to }
  if (runtime.config.server.connect.browser_binding && !bindingMatches(cookie, stateBinding(state))) {
    log.info({ connection: record.connection }, 'oauth callback: browser-binding cookie missing or different, nothing stored')
    return errorEnd(end, 400, 'invalid_state', INVALID_STATE)
  }

  const found = await deps.sessions.peekDigest(record.session)
  if (found.state !== 'live') return gone(found.state)
  const session = found.session
  const connector = runtime.config.connectors.get(session.connector)
  const method = connector?.auth.methods[record.method]
  if (connector === undefined || method === undefined || method.type !== 'oauth2') {
    return errorEnd(end, 400, 'invalid_state', 'The connector changed since this sign-in started. Open the connect link again.')
  }
  const name = connector.name ?? connector.slug
  const logged = { connection: session.connection, connector: connector.slug }

  if (typeof query.error === 'string') {
    const code = AUTHORIZE_ERRORS.has(query.error) ? query.error : 'authorization_failed'
    log.info({ ...logged, error: code }, 'oauth callback: the provider refused, nothing stored')
    const message = code === 'access_denied' ? `Access to ${name} was not granted.` : `${name} did not complete the sign-in (${code}).`
    return errorEnd(end, 400, code, message)
  }
  if (typeof query.code !== 'string' || query.code === '') {
    return errorEnd(end, 400, 'authorization_failed', `${name} sent no authorization code.`)
  }

  const completed = await connectionToBe(deps, session, connector, method, record, query, log)
  if ('code' in completed) return errorEnd(end, completed.status, completed.code, completed.message)

  // Claimed since the link was made (by the YAML or another owner): final ends.
  const claim = await checkClaim(deps, session)
  if (!claim.ok) {
    await deps.sessions.consumeDigest(record.session)
    return errorEnd(end, claim.status, claim.code, claim.message)
  }
  const draft = sessionDraft(session, connector.slug, record.method, completed, claim.existing)

  if (connector.test !== undefined) {
    const failure = await testFailureReason(deps, session.connection, draft)
    if (failure !== undefined) {
      log.info({ ...logged, status: failure }, 'oauth callback: connector test failed, nothing stored')
      return errorEnd(end, 502, 'connection_test_failed', `${name} did not accept the new connection (${failure}).`)
    }
  }

  const consumed = await deps.sessions.consumeDigest(record.session)
  if (consumed.state !== 'live') return gone(consumed.state)
  const { created } = await deps.connections.save(session.connection, draft)
  log.info({ ...logged, created }, created ? 'connection created through oauth' : 'connection reconnected through oauth')
  if (session.return_to !== null) {
    return { kind: 'redirect', location: returnUrl(session.return_to, { connection: session.connection, status: 'connected' }) }
  }
  return { kind: 'message', status: 200, title: `${name} connected`, message: `${name} is connected. You can close this window.`, good: true, connector }
}

type Completed = { config: Record<string, string>, credentials: Record<string, string> } | { status: number, code: string, message: string }

/** The exchange, metadata and post_connect: the config and credentials to store, or why not. */
async function connectionToBe (deps: ConnectDeps, session: ConnectSession, connector: ResolvedConnector, method: OAuth2Method,
  record: OAuthStateRecord, query: Readonly<Record<string, unknown>>, log: FastifyBaseLogger): Promise<Completed> {
  const name = connector.name ?? connector.slug
  const logged = { connection: session.connection, connector: connector.slug }
  const templates = oauthTemplates(deps.test.compiler(), method)
  const who = { id: session.connection, connector: connector.slug, owner: session.owner }
  let exchanged
  try {
    exchanged = await exchangeCode(deps, connector, method, templates, flowContext(who, record.config), record, query.code as string)
  } catch (err) {
    if (!isGatewayError(err)) throw err
    // GatewayError messages name the failure, never a credential (requestToken's promise).
    log.warn({ ...logged, code: err.code, reason: err.message }, 'oauth callback: code exchange failed, nothing stored')
    return { status: 502, code: 'token_exchange_failed', message: `${name} did not complete the sign-in (the code exchange failed). Try again.` }
  }
  const config: Record<string, string> = {
    ...record.config,
    ...tokenMetadata(method.metadata, exchanged.body),
    ...redirectMetadata(method.redirect_metadata, query),
  }
  try {
    Object.assign(config, await runPostConnect(deps, connector, method, templates, flowContext(who, config, exchanged.credentials)))
  } catch (err) {
    if (!(err instanceof PostConnectError) && !isGatewayError(err)) throw err
    log.warn({ ...logged, ...(isGatewayError(err) ? { code: err.code } : {}), reason: err.message }, 'oauth callback: post_connect failed, nothing stored')
    return { status: 502, code: 'post_connect_failed', message: `${name} signed you in, but the account details could not be read. Try again.` }
  }
  return { config, credentials: exchanged.credentials }
}

/** The connector test on the connection-to-be: undefined when it passed, else a short reason. */
async function testFailureReason (deps: ConnectDeps, id: string, draft: ConnectionDraft): Promise<string | undefined> {
  try {
    const test = await testDraft(deps, id, draft)
    if (test.passed) return undefined
    return 'status' in test && test.status !== null ? `it answered HTTP ${test.status}` : test.code
  } catch {
    return 'the test could not run'
  }
}

function page (status: number, title: string, message: string): CallbackOutcome {
  return { kind: 'message', status, title, message }
}

function errorEnd (end: End, status: number, code: string, message: string): CallbackOutcome {
  if (end.return_to !== null) return { kind: 'redirect', location: returnUrl(end.return_to, { connection: end.connection, status: 'error', error: code }) }
  return page(status, 'Cannot connect', message)
}

function gone (state: 'used' | 'unknown'): CallbackOutcome {
  return state === 'used'
    ? page(410, 'Link already used', 'This connect link has already been used. Ask for a new one.')
    : page(404, 'Link not found', 'This connect link is unknown or has expired. Ask for a new one.')
}
