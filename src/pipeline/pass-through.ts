/**
 * One attempt on the pass-through path: the upstream's body goes straight into the caller's
 * answer from undici's callbacks (proxy/relay.ts). An answer judged worth another attempt is
 * read and dropped without a byte reaching the caller.
 */
import { filterRawResponseHeaders, rawHeaderValue } from '../proxy/header-hygiene.js'
import { relayUpstream, type Relay } from '../proxy/relay.js'
import type { SendAttempt, Sent, Verdict } from './attempts.js'
import type { PlaneRequest } from './types.js'

/** The outcome of every answered pass-through attempt: its result is the relay itself, already under way. */
const ANSWERED: Sent<void> = Object.freeze({ verdict: 'answer', result: undefined })

/**
 * Resolves once the answer's head is written (the body keeps streaming) or the dropped body is
 * read; rejects with a GatewayError when nothing could be sent. Not an async function: one
 * `then` on the relay's start instead of an async frame and its await per request.
 */
export function passThrough (request: PlaneRequest): SendAttempt<void> {
  const { conn, timer, respond } = request
  return (upstream, judge) => {
    let verdict: Verdict = 'answer'
    let retryAfter: string | undefined
    let relayed: Relay
    try {
      relayed = relayUpstream(upstream, (statusCode, rawHeaders) => {
        const at = timer.endUpstream()
        verdict = judge(statusCode)
        if (verdict !== 'answer') {
          retryAfter = rawHeaderValue(rawHeaders, 'retry-after')
          return null
        }
        const out = filterRawResponseHeaders(rawHeaders, conn.responseHeaders)
        out['server-timing'] = timer.header(at)
        return respond.head(statusCode, out)
      })
    } catch (err) {
      return Promise.reject(err)
    }
    let callerGone = false
    const stopWatching = respond.onGone(() => {
      callerGone = true
      relayed.abort()
    })
    return relayed.started.then(() => {
      if (verdict !== 'answer') {
        const resend = verdict
        return new Promise<Sent<void>>((resolve) => relayed.whenFinished(() => {
          stopWatching()
          resolve({ verdict: resend, retryAfter })
        }))
      }
      relayed.whenFinished((err) => {
        stopWatching()
        timer.trace?.bodyEnded(err)
        // The caller going away is not worth a line; an upstream failing mid-body is.
        if (err !== undefined && !callerGone) request.warn({ err: { code: (err as { code?: string }).code } }, 'upstream response failed after its headers were sent')
      })
      return ANSWERED
    }, (err: unknown) => {
      stopWatching()
      // Nobody is left to answer: nothing to send, and no failure worth a warning.
      if (callerGone) return ANSWERED
      throw err
    })
  }
}
