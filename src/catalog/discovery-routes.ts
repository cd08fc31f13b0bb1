/**
 * `GET /connectors` (issue 14, discovery for apps): the public connectors, so an app can build
 * its own picker and connect form. Any caller with credentials may ask (an api key or a user);
 * anonymous is 401 and wrong credentials are 401 like everywhere (callers/identify).
 *
 * Only display fields leave: slug, name, description, domain, icon_url, the auth methods with
 * the inputs each one's connect form asks for, and the default method. Private connectors,
 * templates (base URLs, auth fields, headers) and anything a credential is built from never do.
 */
import type { FastifyInstance } from 'fastify'
import type { ResolvedConnector } from '../config/model.js'
import type { InputConfig } from '../config/schema.js'
import { inputsFor } from '../connections/inputs.js'
import { refuseOtherMethods } from '../edge/method-not-allowed.js'
import { GatewayError } from '../errors.js'
import type { Runtime } from '../runtime/build.js'
import { connectorSummary } from './summary.js'

export interface DiscoveryDeps {
  runtime: () => Runtime
}

/** What a connect form shows for one input: its display and check fields, nothing else. */
function formInput (input: InputConfig) {
  return {
    name: input.name,
    label: input.label ?? input.name,
    type: input.type ?? 'text',
    required: input.required === true,
    ...(input.pattern === undefined ? {} : { pattern: input.pattern }),
    ...(input.pattern_error === undefined ? {} : { pattern_error: input.pattern_error }),
    ...(input.placeholder === undefined ? {} : { placeholder: input.placeholder }),
    ...(input.help === undefined ? {} : { help: input.help }),
    ...(input.default === undefined ? {} : { default: input.default }),
    ...(input.options === undefined ? {} : { options: input.options }),
  }
}

export function publicConnector (connector: ResolvedConnector) {
  const summary = connectorSummary(connector)
  return {
    slug: summary.slug,
    name: summary.name,
    description: summary.description,
    domain: summary.domain,
    icon_url: summary.icon_url,
    default_auth: summary.default_auth,
    auth_methods: summary.auth_methods.map((m) => ({ ...m, inputs: inputsFor(connector, m.name).map(formInput) })),
  }
}

export async function discoveryRoutes (app: FastifyInstance, deps: DiscoveryDeps): Promise<void> {
  // Identify before anything else: a wrong credential is 401 from identify(); none at all is
  // 401 here. Users and api keys alike may list (SPEC 8 lets both create connect sessions).
  app.addHook('onRequest', async (request) => {
    const caller = await deps.runtime().identify(request.headers)
    if (caller.kind === 'anonymous') throw new GatewayError('unauthenticated', 'GET /connectors needs an api key or a user token')
  })

  app.get('/connectors', async (_request, reply) => {
    const connectors = [...deps.runtime().config.connectors.values()]
      .filter((c) => c.visibility === 'public')
      .map(publicConnector)
      .sort((a, b) => a.slug.localeCompare(b.slug))
    return reply.header('cache-control', 'no-store').send({ connectors })
  })
  refuseOtherMethods(app, '/connectors', ['GET'])
}
