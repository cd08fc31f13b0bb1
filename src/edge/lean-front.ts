/**
 * The lean data plane: /proxy and /actions are served by a handler on node's HTTP server
 * itself, ahead of fastify, which keeps the admin API, health, metrics and the connect pages.
 * fastify's request lifecycle (routing, hooks, reply and its header handling) cost about half of
 * the api_key path (issue 11's profile); these two routes need none of it: what its hooks did
 * for them is done by HttpExchange, the door and the routes' own small parsers.
 *
 * fastify is given this server through `serverFactory`, so listening, closing, timeouts and
 * client errors stay fastify's business exactly as before.
 */
import { createServer, type IncomingMessage, type Server, type ServerOptions, type ServerResponse } from 'node:http'
import type { Cors } from '../callers/cors.js'
import { GatewayError } from '../errors.js'
import { atTheDoor } from './door.js'
import { HttpExchange, type ExchangeDeps } from './exchange.js'

/**
 * A route of the lean front; it throws (or rejects with) a GatewayError for latchkey's own
 * answers. The promise settles once the answer has begun.
 */
export type LeanRoute = (exchange: HttpExchange) => Promise<void>

export interface LeanFrontDeps extends ExchangeDeps {
  cors: () => Cors | undefined
  /** True once the gateway is closing: new requests get 503, as fastify's own routes do. */
  closing: () => boolean
  routes: Readonly<Record<string, LeanRoute>>
}

type FastifyHandler = (req: IncomingMessage, res: ServerResponse) => void

interface FactoryOptions {
  http?: ServerOptions
  keepAliveTimeout?: number
  requestTimeout?: number
}

/**
 * A fastify `serverFactory`: the node server whose handler sends `/<prefix>/...` to the lean
 * route of that prefix, and everything else to fastify.
 */
export function leanServerFactory (deps: LeanFrontDeps): (handler: FastifyHandler, options: FactoryOptions) => Server {
  const prefixes = Object.keys(deps.routes).map((name) => [`/${name}/`, deps.routes[name]!] as const)
  return (fastifyHandler, options) => {
    const server = createServer(options.http ?? {}, (req, res) => {
      const url = req.url ?? ''
      for (const [prefix, route] of prefixes) {
        if (url.startsWith(prefix)) return serve(req, res, route, deps)
      }
      fastifyHandler(req, res)
    })
    // What fastify sets on a server it makes itself (and not on one a factory made).
    if (options.keepAliveTimeout !== undefined) server.keepAliveTimeout = options.keepAliveTimeout
    if (options.requestTimeout !== undefined) server.requestTimeout = options.requestTimeout
    return server
  }
}

function serve (req: IncomingMessage, res: ServerResponse, route: LeanRoute, deps: LeanFrontDeps): void {
  const exchange = new HttpExchange(req, res, deps)
  if (deps.closing()) {
    res.shouldKeepAlive = false
    exchange.fail(new GatewayError('not_ready', 'the gateway is shutting down'))
    return
  }
  const door = atTheDoor(req.method ?? '', exchange.headers, req.rawHeaders, deps.cors())
  switch (door.kind) {
    case 'refuse':
      exchange.fail(door.error, door.headers)
      return
    case 'preflight':
      exchange.preflight(door.headers)
      return
    case 'enter':
      exchange.cors = door.cors
      enter(exchange, route)
      return
    default: {
      const unknown: never = door
      throw new Error(`unknown door decision ${JSON.stringify(unknown)}`)
    }
  }
}

function enter (exchange: HttpExchange, route: LeanRoute): void {
  let answered: Promise<void>
  try {
    answered = route(exchange)
  } catch (err) {
    // A route that is not async refuses at once (a hostile path, say) by throwing.
    exchange.fail(err)
    return
  }
  answered.catch((err: unknown) => exchange.fail(err))
}
