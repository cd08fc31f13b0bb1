/**
 * One attempt on the buffered path (SPEC 5.3): the connector's response template needs the
 * whole upstream body, so the answer is read (up to body_limit), rendered, and sent as one.
 */
import type { Dispatcher } from 'undici'
import { sendUpstream } from '../proxy/forward.js'
import type { PreparedRequest } from '../proxy/prepare.js'
import type { CompiledTemplate } from '../templates/types.js'
import { transformResponse } from '../proxy/response-transform.js'
import type { SendAttempt } from './attempts.js'
import type { PlaneRequest } from './types.js'

export function buffered (request: PlaneRequest): SendAttempt<Dispatcher.ResponseData> {
  return async (upstream, judge) => {
    // The caller leaving aborts the upstream request, as on the pass-through path.
    const abort = new AbortController()
    // It keeps watching while the answer is read for the template.
    const stopWatching = request.respond.onGone(() => abort.abort())
    let res: Dispatcher.ResponseData
    try {
      res = await sendUpstream(upstream, abort)
    } catch (err) {
      stopWatching()
      throw err
    }
    const verdict = judge(res.statusCode)
    if (verdict === 'answer') return { verdict, result: res }
    stopWatching()
    await res.body.dump()
    return { verdict, retryAfter: res.headers['retry-after'] }
  }
}

/** Renders the template over the upstream's answer and sends the result. */
export async function sendTransformed (request: PlaneRequest, res: Dispatcher.ResponseData, template: CompiledTemplate,
  prepared: PreparedRequest, bodyLimit: number): Promise<void> {
  const { conn, timer } = request
  timer.endUpstream()
  const transformed = await transformResponse(res, template, prepared.context, bodyLimit)
  const contentType = conn.responseContentType ?? firstValue(res.headers['content-type']) ?? 'text/plain; charset=utf-8'
  request.respond.send(res.statusCode, { 'content-type': contentType, 'server-timing': timer.header() }, Buffer.from(transformed, 'utf8'))
}

function firstValue (value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value
}
