/**
 * `verify.event_id`: the provider's event id read from headers (`header:<name>`) and body
 * fields (`body:<a.b>`), joined; when any part is missing the scheme's own id stands. Repeats
 * of one id within `tolerance` are forwarded once (SPEC 13).
 */
import { parseJson, scalarAt, single } from './compare.js'
import type { SchemeVerifier, WebhookRequest } from './types.js'

type Part = { readonly from: 'header' | 'body', readonly name: string }

export function withEventId (scheme: SchemeVerifier, sources: readonly string[] | undefined): SchemeVerifier {
  if (sources === undefined || sources.length === 0) return scheme
  const parts: Part[] = sources.map((source) => source.startsWith('header:')
    ? { from: 'header', name: source.slice('header:'.length).toLowerCase() }
    : { from: 'body', name: source.slice('body:'.length) })
  return {
    eventHeaders: scheme.eventHeaders,
    async verify (request, context) {
      const verified = await scheme.verify(request, context)
      if (verified === undefined) return undefined
      const id = eventIdOf(request, parts)
      return id === undefined ? verified : { ...verified, eventId: id }
    },
  }
}

function eventIdOf (request: WebhookRequest, parts: readonly Part[]): string | undefined {
  let parsed: unknown
  let read = false
  const values: string[] = []
  for (const part of parts) {
    let value: string | undefined
    if (part.from === 'header') {
      value = single(request.headers, part.name)
    } else {
      if (!read) { parsed = parseJson(request.body); read = true }
      value = scalarAt(parsed, part.name)
    }
    if (value === undefined || value === '') return undefined
    values.push(value)
  }
  return `id:${values.join('\n')}`
}
