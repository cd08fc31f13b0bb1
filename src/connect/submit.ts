/**
 * `POST /connect/:token` (SPEC 8): check the typed values, test them against the provider, and
 * only then consume the session and store the connection. Nothing is stored on any failure, and
 * a failure that the user can fix (a bad value, a refused test) shows the form again with the
 * values kept, passwords excepted. Typed values are data: never logged, rendered only escaped
 * (non-password ones), never compiled as templates.
 */
import type { FastifyBaseLogger } from 'fastify'
import type { ResolvedConnector } from '../config/model.js'
import { checkInputValues, inputsFor } from '../connections/inputs.js'
import { isGatewayError } from '../errors.js'
import { checkClaim, sessionDraft, testDraft, type DraftTest } from './connection-to-be.js'
import type { ConnectDeps } from './deps.js'
import { selectMethod, typedValues } from './form-state.js'
import { startAuthorize } from './oauth/authorize.js'
import { returnUrl } from './return-to.js'
import type { ConnectSession } from './sessions.js'
import type { FormView } from './views.js'

export type SubmitOutcome =
  | { kind: 'form', status: number, view: Omit<FormView, 'token' | 'nonce'> }
  | { kind: 'message', status: number, title: string, message: string, good?: boolean }
  | { kind: 'redirect', location: string }
  /** 302 to the provider's authorize URL, with the browser-binding cookie (SPEC 8). */
  | { kind: 'authorize', location: string, cookie: string | undefined }

export async function submitConnect (deps: ConnectDeps, token: string, session: ConnectSession, connector: ResolvedConnector, form: URLSearchParams, log: FastifyBaseLogger): Promise<SubmitOutcome> {
  const runtime = deps.runtime()
  const requested = form.get('auth') ?? undefined
  const selection = selectMethod(connector, session, requested)
  const reconnect = (await deps.connections.stored(session.connection)) !== undefined
  const base = { connector, choices: selection.choices, reconnect }
  if (selection.method === null) {
    return { kind: 'message', status: 400, title: 'Cannot connect', message: 'This connector offers no way to connect.' }
  }
  const method = selection.method
  const inputs = inputsFor(connector, method)
  const values = typedValues(inputs, form)
  if (requested !== undefined && requested !== method) {
    return { kind: 'form', status: 400, view: { ...base, method, inputs, values: values.shown, errors: {}, banner: 'Choose one of the offered ways to connect.' } }
  }

  // The browser checked these too; the server decides.
  const problems = checkInputValues(inputs, values)
  if (problems.length > 0) {
    const errors = Object.fromEntries(problems.map((p) => [p.name, p.message]))
    return { kind: 'form', status: 400, view: { ...base, method, inputs, values: values.shown, errors } }
  }

  // Claimed since the session was made: final ends, so with a return_to they redirect there (SPEC 8).
  const claim = await checkClaim(deps, session)
  if (!claim.ok) return finalError(deps, token, session, claim.status, claim.code, claim.message)

  // oauth2: the typed config goes with the state to the provider and back (src/connect/oauth/).
  const methodConfig = connector.auth.methods[method]
  if (methodConfig?.type === 'oauth2') {
    try {
      const redirect = await startAuthorize(deps, token, session, connector, method, methodConfig, values.config)
      log.info({ connection: session.connection, connector: connector.slug }, 'connect page: sent to the oauth authorize url')
      return { kind: 'authorize', location: redirect.location, cookie: redirect.cookie }
    } catch (err) {
      if (!isGatewayError(err)) throw err
      log.info({ connection: session.connection, connector: connector.slug, code: err.code }, 'connect page: the authorize url was refused')
      const banner = err.code === 'invalid_path'
        ? 'These details lead to an address this connector does not allow. Check them and try again.'
        : `The sign-in address could not be built from these details (${err.code}).`
      return { kind: 'form', status: 400, view: { ...base, method, inputs, values: values.shown, errors: {}, banner } }
    }
  }

  const draft = sessionDraft(session, connector.slug, method, values, claim.existing)
  if (connector.test !== undefined) {
    const test = await testDraft(deps, session.connection, draft)
    if (!test.passed) {
      const status = 'status' in test ? test.status : null
      log.info({ connection: session.connection, connector: connector.slug, status }, 'connect page: connector test failed, nothing stored')
      return { kind: 'form', status: status === null ? 502 : 400, view: { ...base, method, inputs, values: values.shown, errors: {}, banner: testMessage(test, connector.name ?? connector.slug) } }
    }
  }

  // One-time: of two racing submits only one gets here with the session.
  const consumed = await deps.sessions.consume(token)
  if (consumed.state !== 'live') {
    return consumed.state === 'used'
      ? { kind: 'message', status: 410, title: 'Link already used', message: 'This connect link has already been used. Ask for a new one.' }
      : { kind: 'message', status: 404, title: 'Link not found', message: 'This connect link is unknown or has expired. Ask for a new one.' }
  }
  const { created } = await deps.connections.save(session.connection, draft)
  log.info({ connection: session.connection, connector: connector.slug, created }, created ? 'connection created through the connect page' : 'connection reconnected through the connect page')

  if (session.return_to !== null) {
    return { kind: 'redirect', location: returnUrl(session.return_to, { connection: session.connection, status: 'connected' }) }
  }
  const name = connector.name ?? connector.slug
  return { kind: 'message', status: 200, title: `${name} connected`, message: `${name} is connected. You can close this window.`, good: true }
}

/**
 * An end of the flow that no retry can change: the session is used up, and the user goes back
 * to `return_to` with `status=error&error=<code>`, or sees a page when there is none.
 */
async function finalError (deps: ConnectDeps, token: string, session: { connection: string, return_to: string | null }, status: number, code: string, message: string): Promise<SubmitOutcome> {
  await deps.sessions.consume(token)
  if (session.return_to !== null) {
    return { kind: 'redirect', location: returnUrl(session.return_to, { connection: session.connection, status: 'error', error: code }) }
  }
  return { kind: 'message', status, title: 'Cannot connect', message }
}

/** What the user reads when the connector test refused the typed details. */
function testMessage (test: Exclude<DraftTest, { passed: true }>, name: string): string {
  if ('notRun' in test) return `These details could not be checked with ${name} (${test.code}).`
  if (test.status !== null) return `${name} refused these details (it answered HTTP ${test.status}). Check them and try again.`
  return `${name} could not be reached to check these details (${test.code}). Try again in a moment.`
}
