/** Where the request goes: the rendered base URL, checked against 6.4 for templated hosts. */
import type { Dispatcher } from 'undici'
import { GatewayError } from '../errors.js'
import type { CompiledConnection } from '../runtime/connection.js'
import type { TemplateContext } from '../templates/types.js'
import type { Upstreams } from './forward.js'
import { assertPublicLiteral, HOST_NOT_ALLOWED } from './host-guard.js'

export interface UpstreamBase {
  origin: string
  /** Base path without a trailing slash ('' for the root). */
  pathname: string
  dispatcher: Dispatcher
}

export function resolveBase (conn: CompiledConnection, context: TemplateContext, secrets: ReadonlyMap<string, string>,
  upstreams: Upstreams, allowPrivate: boolean): UpstreamBase {
  const fixed = conn.staticBase
  // A literal, not a spread of the frozen staticBase: ~12 ns against ~60 ns (micro-benchmark).
  if (fixed !== undefined) return { origin: fixed.origin, pathname: fixed.pathname, dispatcher: upstreams.trusted }
  const rendered = conn.baseUrl.render(context, secrets)
  let url: URL
  try {
    url = new URL(rendered)
  } catch {
    throw new GatewayError('template_error', 'base_url did not render to an absolute URL')
  }
  // A host that carries userinfo, a query or a fragment, or another scheme, is a host-safety
  // refusal like any other (SPEC 6.4 -> 400 invalid_path); it never connects.
  if ((url.protocol !== 'https:' && url.protocol !== 'http:') || url.username !== '' || url.password !== '' || url.search !== '' || url.hash !== '') {
    throw new GatewayError('invalid_path', 'the upstream URL must be http(s) without credentials, query or fragment')
  }
  checkTemplatedHost(url, conn.allowedHosts, allowPrivate)
  return { origin: url.origin, pathname: url.pathname.replace(/\/+$/, ''), dispatcher: upstreams.guarded }
}

/**
 * SPEC 6.4 for any URL rendered from a template (a base URL, or the connect flow's authorize,
 * token and post_connect URLs): http(s) without userinfo, a host matching `allowed_hosts` (none
 * configured admits none), and no private IP literal unless `allowPrivate`. A name's addresses
 * are checked at connect time by the guarded dispatcher. Throws 400 invalid_path.
 */
export function checkTemplatedHost (url: URL, allowedHosts: (host: string) => boolean, allowPrivate: boolean): void {
  if ((url.protocol !== 'https:' && url.protocol !== 'http:') || url.username !== '' || url.password !== '') {
    throw new GatewayError('invalid_path', 'the upstream URL must be http(s) without credentials')
  }
  // The private-address guard applies on top of allowed_hosts, whatever the list says.
  if (!allowedHosts(url.hostname)) throw new GatewayError('invalid_path', HOST_NOT_ALLOWED)
  if (!allowPrivate) assertPublicLiteral(url.hostname)
}
