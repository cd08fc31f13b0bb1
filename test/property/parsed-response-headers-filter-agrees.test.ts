/**
 * Defends: filterParsedResponseHeaders (the relay's filter, which trusts undici's parsed names to
 * be lower-case and skips lower-casing them) keeps and drops exactly what filterResponseHeaders
 * does for the same headers given as the upstream's raw lines, whatever they hold: hop-by-hop
 * names, names listed in Connection, removed prefixes, `__proto__`, repeated names.
 */
import fc from 'fast-check'
import { util } from 'undici'
import t from 'tap'
import { compileResponseHeaderFilter, filterParsedResponseHeaders, filterResponseHeaders } from '../../src/proxy/header-hygiene.js'

const NAMES = ['Content-Type', 'content-length', 'Connection', 'Keep-Alive', 'X-Hop', 'x-internal', 'Set-Cookie',
  'Access-Control-Allow-Origin', 'Vary', 'vary', 'ETag', '__proto__', 'constructor', 'X-Custom', 'Transfer-Encoding']
const VALUES = ['1', 'close', 'keep-alive, X-Hop', 'x-custom', 'X-Internal, vary', 'a=1', '*', 'Accept']

t.test('the parsed-headers filter agrees with the general one', async (t) => {
  const filter = compileResponseHeaderFilter(['X-Internal'])
  fc.assert(fc.property(fc.array(fc.tuple(fc.constantFrom(...NAMES), fc.constantFrom(...VALUES)), { maxLength: 12 }), (lines) => {
    const raw = lines.flat()
    const parsed = util.parseHeaders(raw.map((x) => Buffer.from(x, 'latin1'))) as Record<string, string | string[]>
    t.same({ ...filterParsedResponseHeaders(parsed, filter) }, { ...filterResponseHeaders(raw, filter) })
  }), { numRuns: 300 })
})
