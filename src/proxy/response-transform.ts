/**
 * SPEC 5.3: buffer the upstream response (up to body_limit), render `response.body` with it and
 * send the result instead. Any failure is 502 response_transform_failed: the caller never gets a
 * half-filtered body.
 */
import type { Dispatcher } from 'undici'
import { GatewayError, isGatewayError } from '../errors.js'
import type { CompiledTemplate, TemplateContext } from '../templates/types.js'

export async function transformResponse (res: Dispatcher.ResponseData, template: CompiledTemplate,
  context: TemplateContext, limit: number): Promise<string> {
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of res.body) {
    size += (chunk as Buffer).length
    if (size > limit) {
      res.body.destroy()
      throw new GatewayError('response_transform_failed', 'the upstream response exceeds body_limit')
    }
    chunks.push(chunk as Buffer)
  }
  const headers: Record<string, string> = {}
  for (const [name, value] of Object.entries(res.headers)) {
    if (value !== undefined) headers[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value
  }
  try {
    return template.render({ ...context, response: { status_code: res.statusCode, headers, body: Buffer.concat(chunks).toString('utf8') } }, new Map())
  } catch (err) {
    const reason = isGatewayError(err) ? err.message : 'render failed'
    throw new GatewayError('response_transform_failed', `the response template failed: ${reason}`)
  }
}
