/**
 * Defends: filterRawResponseHeaders (the relay's filter, reading the upstream's header lines as
 * undici's parser leaves them: Buffers, any case) keeps and drops exactly what the general
 * filterResponseHeaders does for the same lines as strings, whatever they hold: hop-by-hop names,
 * names listed in Connection, removed prefixes, `__proto__`, repeated names in any case. And
 * rawHeaderValue finds the first value of a name as the parsed headers would.
 */
import fc from 'fast-check'
import t from 'tap'
import { compileResponseHeaderFilter, filterRawResponseHeaders, filterResponseHeaders, rawHeaderValue } from '../../src/proxy/header-hygiene.js'

const NAMES = ['Content-Type', 'content-length', 'Connection', 'CONNECTION', 'Keep-Alive', 'X-Hop', 'x-internal', 'Set-Cookie',
  'Access-Control-Allow-Origin', 'Vary', 'vary', 'ETag', '__proto__', 'constructor', 'X-Custom', 'Transfer-Encoding', 'Retry-After']
const VALUES = ['1', 'close', 'keep-alive, X-Hop', 'x-custom', 'X-Internal, vary', 'a=1', '*', 'Accept', '120', 'caf\xe9']

const lines = fc.array(fc.tuple(fc.constantFrom(...NAMES), fc.constantFrom(...VALUES)), { maxLength: 12 })
const asBuffers = (flat: string[]): Buffer[] => flat.map((x) => Buffer.from(x, 'latin1'))

t.test('the raw filter agrees with the general one', async (t) => {
  const filter = compileResponseHeaderFilter(['X-Internal'])
  let disagreements = 0
  fc.assert(fc.property(lines, (pairs) => {
    const flat = pairs.flat()
    const raw = { ...filterRawResponseHeaders(asBuffers(flat), filter) }
    const general = { ...filterResponseHeaders(flat, filter) }
    if (JSON.stringify(raw) !== JSON.stringify(general)) disagreements++
  }), { numRuns: 500 })
  t.equal(disagreements, 0)
})

t.test('rawHeaderValue gives the first value of a name in any case', async (t) => {
  fc.assert(fc.property(lines, (pairs) => {
    const first = pairs.find(([name]) => name.toLowerCase() === 'retry-after')?.[1]
    return rawHeaderValue(asBuffers(pairs.flat()), 'retry-after') === first
  }), { numRuns: 300 })
  t.pass()
})
