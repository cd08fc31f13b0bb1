/**
 * One attempt on the pass-through path: the upstream's body goes straight into the caller's
 * answer from undici's callbacks (proxy/relay.ts). An answer judged worth another attempt is
 * read and dropped without a byte reaching the caller.
 */
import { filterParsedResponseHeaders } from '../proxy/header-hygiene.js'
import { relayUpstream } from '../proxy/relay.js'
import type { SendAttempt } from './attempts.js'
import type { PlaneRequest } from './types.js'

/**
 * Resolves once the answer's head is written (the body keeps streaming) or the dropped body is
 * read; rejects with a GatewayError when nothing could be sent.
 */
export function passThrough (request: PlaneRequest): SendAttempt<void> {
  const { conn, timer, respond } = request
  return async (upstream, judge) => {
    let verdict: 'answer' | 'replay' | 'retry' = 'answer'
    let retryAfter: string | string[] | undefined
    const relayed = relayUpstream(upstream, (statusCode, headers) => {
      const at = timer.endUpstream()
      verdict = judge(statusCode)
      if (verdict !== 'answer') {
        retryAfter = headers['retry-after']
        return null
      }
      const out = filterParsedResponseHeaders(headers as Record<string, string | string[]>, conn.responseHeaders)
      out['server-timing'] = timer.header(at)
      return respond.head(statusCode, out)
    })
    let callerGone = false
    const stopWatching = respond.onGone(() => {
      callerGone = true
      relayed.abort()
    })
    try {
      await relayed.started
    } catch (err) {
      stopWatching()
      // Nobody is left to answer: nothing to send, and no failure worth a warning.
      if (callerGone) return { verdict: 'answer', result: undefined }
      throw err
    }
    if (verdict !== 'answer') {
      await new Promise<void>((resolve) => relayed.whenFinished(() => resolve()))
      stopWatching()
      return { verdict, retryAfter }
    }
    relayed.whenFinished((err) => {
      stopWatching()
      timer.trace?.bodyEnded(err)
      // The caller going away is not worth a line; an upstream failing mid-body is.
      if (err !== undefined && !callerGone) request.warn({ err: { code: (err as { code?: string }).code } }, 'upstream response failed after its headers were sent')
    })
    return { verdict: 'answer', result: undefined }
  }
}
