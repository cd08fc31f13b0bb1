/**
 * `post_connect` (SPEC 7.4): right after the code exchange, one request with the new token
 * (in the method's `header` with its `prefix`), whose JSON answer gives config values by path
 * (`[0].id`). A non-2xx answer, an answer that is not JSON, or a missing path fails the connect.
 * A templated URL (e.g. from Salesforce's `instance_url`) must pass SPEC 6.4 like a base URL.
 */
import type { ResolvedConnector } from '../../config/model.js'
import { sendUpstream } from '../../proxy/forward.js'
import { assertSafeHeaderValue } from '../../templates/header-value.js'
import type { TemplateContext } from '../../templates/types.js'
import { valueAt } from '../../text/json-path.js'
import type { ConnectDeps } from '../deps.js'
import { configString } from './metadata.js'
import { flowUrl, renderAll, type OAuth2Method, type OAuthTemplates } from './templates.js'

const MAX_BODY = 256 * 1024

/** Failures are thrown as PostConnectError, with a reason that names no value. */
export class PostConnectError extends Error {
  override readonly name = 'PostConnectError'
}

export async function runPostConnect (deps: ConnectDeps, connector: ResolvedConnector, method: OAuth2Method, templates: OAuthTemplates,
  context: TemplateContext): Promise<Record<string, string>> {
  const post = method.post_connect
  if (post === undefined || templates.postConnect === undefined) return {}
  const server = deps.runtime().config.server
  const [rendered, ...headerValues] = await renderAll([templates.postConnect.url, ...templates.postConnect.headers.map(([, t]) => t)], context, deps.test.secrets)
  const { url, templated } = flowUrl(rendered!, templates.postConnect.url, connector, server.allow_private_upstreams, 'post_connect.url')

  const headers: Record<string, string> = { accept: 'application/json' }
  templates.postConnect.headers.forEach(([name], i) => {
    assertSafeHeaderValue(headerValues[i]!, `post_connect header ${name}`)
    headers[name.toLowerCase()] = headerValues[i]!
  })
  headers[(method.header ?? 'Authorization').toLowerCase()] = `${method.prefix ?? 'Bearer '}${context.connection.credentials.access_token ?? ''}`

  const res = await sendUpstream({
    dispatcher: templated ? deps.test.upstreams.guarded : deps.test.upstreams.trusted,
    origin: url.origin,
    path: `${url.pathname}${url.search}`,
    method: post.method ?? 'GET',
    headers,
    body: null,
    timeoutMs: server.upstream_timeout_ms,
  })
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of res.body) {
    size += (chunk as Buffer).length
    if (size > MAX_BODY) {
      res.body.destroy()
      throw new PostConnectError(`the post_connect answer is larger than ${MAX_BODY} bytes`)
    }
    chunks.push(chunk as Buffer)
  }
  const text = Buffer.concat(chunks).toString('utf8')
  if (res.statusCode < 200 || res.statusCode >= 300) throw new PostConnectError(`the post_connect request was answered ${res.statusCode}`)
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch {
    throw new PostConnectError('the post_connect answer is not JSON')
  }
  const out: Record<string, string> = {}
  for (const [field, path] of Object.entries(post.metadata ?? {})) {
    const value = configString(valueAt(json, path))
    if (value === undefined) throw new PostConnectError(`the post_connect answer has no value at ${path} (for config.${field})`)
    out[field] = value
  }
  return out
}
