/**
 * `GET /connect/:token` and `POST /connect/:token` (SPEC 8): the connect page and its form.
 * HTML only, in its own plugin scope: form bodies (bounded by body_limit) and an error handler
 * that answers with an HTML page, never JSON and never a stack trace.
 */
import type { FastifyError, FastifyInstance, FastifyReply } from 'fastify'
import { refuseOtherMethods } from '../edge/method-not-allowed.js'
import { GatewayError, isGatewayError } from '../errors.js'
import { inputsFor } from '../connections/inputs.js'
import type { ConnectDeps } from './deps.js'
import { selectMethod } from './form-state.js'
import { newNonce, sendPage } from './page-headers.js'
import { isTokenShaped, type ConnectSession } from './sessions.js'
import { submitConnect } from './submit.js'
import { formPage, messagePage } from './views.js'
import type { ResolvedConnector } from '../config/model.js'
import { clearedCookie } from './oauth/cookie.js'
import { CALLBACK_PATH } from './oauth/authorize.js'
import { completeOAuth } from './oauth/callback.js'
import { authorizeOrigins } from './oauth/templates.js'

const NOT_FORM = 'the connect form is sent as application/x-www-form-urlencoded'

type Found = { session: ConnectSession, connector: ResolvedConnector } | { status: 404 | 410 }

export async function pageRoutes (app: FastifyInstance, deps: ConnectDeps): Promise<void> {
  app.removeAllContentTypeParsers()
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: deps.runtime().config.server.body_limit_bytes }, (_request, text, done) => {
    done(null, new URLSearchParams(text as string))
  })
  app.addContentTypeParser('*', (_request, _payload, done) => done(new GatewayError('invalid_request', NOT_FORM), undefined))

  app.setErrorHandler((err: FastifyError | GatewayError, request, reply) => {
    const known = isGatewayError(err) ? err : fastifyError(err)
    if (known.status >= 500) request.log.error({ err: isGatewayError(err) ? { code: err.code } : err }, 'connect page failed')
    if (known.headers !== undefined) reply.headers(known.headers)
    const title = known.status >= 500 ? 'Something went wrong' : 'This request could not be handled'
    const message = known.status >= 500 ? 'The connection could not be completed. Try again, or ask for a new link.' : known.message
    const nonce = newNonce()
    return sendPage(reply, known.status, messagePage({ nonce, title, message }), nonce)
  })

  const find = async (token: string): Promise<Found> => {
    if (!isTokenShaped(token)) return { status: 404 }
    const found = await deps.sessions.peek(token)
    if (found.state !== 'live') return { status: found.state === 'used' ? 410 : 404 }
    const connector = deps.runtime().config.connectors.get(found.session.connector)
    // A connector removed by a reload since the link was made: the link cannot work any more.
    if (connector === undefined) return { status: 404 }
    return { session: found.session, connector }
  }

  app.get('/connect/:token', async (request, reply) => {
    const { token } = request.params as { token: string }
    const found = await find(token)
    if ('status' in found) return sendGone(reply, found.status)
    const query = request.query as Record<string, unknown>
    const selection = selectMethod(found.connector, found.session, typeof query.auth === 'string' ? query.auth : undefined)
    const nonce = newNonce()
    const reconnect = (await deps.connections.stored(found.session.connection)) !== undefined
    const body = formPage({
      token,
      nonce,
      connector: found.connector,
      choices: selection.choices,
      method: selection.method,
      inputs: selection.method === null ? [] : inputsFor(found.connector, selection.method),
      values: {},
      errors: {},
      reconnect,
    })
    return sendPage(reply, 200, body, nonce, found.session.return_to, formTargets(found.connector, selection.method))
  })

  app.post('/connect/:token', async (request, reply) => {
    const { token } = request.params as { token: string }
    if (!(request.body instanceof URLSearchParams)) throw new GatewayError('invalid_request', NOT_FORM)
    const found = await find(token)
    if ('status' in found) return sendGone(reply, found.status)
    const outcome = await submitConnect(deps, token, found.session, found.connector, request.body, request.log)
    const nonce = newNonce()
    switch (outcome.kind) {
      case 'redirect':
        return reply.code(303).headers({ location: outcome.location, 'cache-control': 'no-store', 'referrer-policy': 'no-referrer' }).send()
      case 'authorize':
        if (outcome.cookie !== undefined) reply.header('set-cookie', outcome.cookie)
        return reply.code(302).headers({ location: outcome.location, 'cache-control': 'no-store', 'referrer-policy': 'no-referrer' }).send()
      case 'form':
        return sendPage(reply, outcome.status, formPage({ ...outcome.view, token, nonce }), nonce, found.session.return_to, formTargets(found.connector, outcome.view.method))
      case 'message':
        return sendPage(reply, outcome.status, messagePage({ nonce, title: outcome.title, message: outcome.message, ...(outcome.good === true ? { good: true, connector: found.connector } : {}) }), nonce, found.session.return_to)
    }
  })

  refuseOtherMethods(app, '/connect/:token', ['GET', 'POST'])

  // The provider's redirect back (src/connect/oauth/callback.ts). The browser-binding cookie is
  // cleared on every answer: the state it bound is used up either way.
  app.get(CALLBACK_PATH, async (request, reply) => {
    const runtime = deps.runtime()
    const outcome = await completeOAuth(deps, request.query as Record<string, unknown>, request.headers.cookie, request.log)
    if (runtime.config.server.connect.browser_binding) reply.header('set-cookie', clearedCookie(runtime.config.server.public_url.startsWith('https:')))
    if (outcome.kind === 'redirect') {
      return reply.code(303).headers({ location: outcome.location, 'cache-control': 'no-store', 'referrer-policy': 'no-referrer' }).send()
    }
    const nonce = newNonce()
    return sendPage(reply, outcome.status, messagePage({ nonce, title: outcome.title, message: outcome.message, ...(outcome.good === true ? { good: true } : {}), ...(outcome.connector === undefined ? {} : { connector: outcome.connector }) }), nonce)
  })
  refuseOtherMethods(app, CALLBACK_PATH, ['GET'])
}

/** The provider's authorize origin when the form's method is oauth2 (CSP form-action, SPEC 8). */
function formTargets (connector: ResolvedConnector, method: string | null): string[] {
  const config = method === null ? undefined : connector.auth.methods[method]
  return config?.type === 'oauth2' ? authorizeOrigins(connector, config) : []
}

function sendGone (reply: FastifyReply, status: 404 | 410): FastifyReply {
  const nonce = newNonce()
  const body = status === 410
    ? messagePage({ nonce, title: 'Link already used', message: 'This connect link has already been used. Ask for a new one.' })
    : messagePage({ nonce, title: 'Link not found', message: 'This connect link is unknown or has expired. Ask for a new one.' })
  return sendPage(reply, status, body, nonce)
}

/** Fastify's own errors (body too large, bad content length) in our vocabulary. */
function fastifyError (err: FastifyError): GatewayError {
  if (err.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return new GatewayError('payload_too_large', 'The form is larger than this gateway accepts.')
  if (typeof err.statusCode === 'number' && err.statusCode >= 400 && err.statusCode < 500) return new GatewayError('invalid_request', 'The request was malformed.')
  return new GatewayError('internal_error', 'internal error')
}
