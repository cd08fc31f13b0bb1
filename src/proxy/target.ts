/** Splits the raw request URL of `/proxy/<connection>/<rest>?<query>` without decoding it. */
import { ID_PATTERN } from '../config/patterns.js'
import { GatewayError } from '../errors.js'

export const PROXY_PREFIX = '/proxy/'
const CONNECTION_ID = new RegExp(ID_PATTERN)

export interface ProxyTarget {
  connectionId: string
  /** Raw rest of the path, starting with `/` or empty. */
  rest: string
  /** Raw query string without `?`, or ''. */
  rawQuery: string
}

export function splitProxyUrl (rawUrl: string, prefix = PROXY_PREFIX): ProxyTarget {
  const q = rawUrl.indexOf('?')
  const pathPart = q === -1 ? rawUrl : rawUrl.slice(0, q)
  const rawQuery = q === -1 ? '' : rawUrl.slice(q + 1)
  const afterPrefix = pathPart.slice(prefix.length)
  const slash = afterPrefix.indexOf('/')
  const connectionId = slash === -1 ? afterPrefix : afterPrefix.slice(0, slash)
  const rest = slash === -1 ? '' : afterPrefix.slice(slash)
  if (!CONNECTION_ID.test(connectionId)) {
    throw new GatewayError('connection_not_found', 'no such connection')
  }
  return { connectionId, rest, rawQuery }
}
