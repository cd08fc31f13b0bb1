/**
 * Defends: the linear `allow` matcher means exactly what the documented glob says (SPEC 3,
 * README "Access"): `*` as a whole segment is one non-empty segment, `*` inside a segment any
 * run without `/`, `**` zero or more whole segments, the rest literal, the whole path matched.
 * The reference below is the obvious RegExp translation (exponential in the worst case, so only
 * short inputs meet it); the property also checks that long inputs stay fast.
 */
import { performance } from 'node:perf_hooks'
import fc from 'fast-check'
import t from 'tap'
import { compileAccess } from '../../src/callers/access.js'

function referenceMatches (glob: string, path: string): boolean {
  let source = ''
  for (const segment of glob.split('/').slice(1)) {
    if (segment === '**') source += '(?:/[^/]*)*'
    else if (segment === '*') source += '/[^/]+'
    else source += '/' + segment.split('*').map((s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('[^/]*')
  }
  return new RegExp(`^${source}$`).test(path)
}

const globSegment = fc.oneof(
  fc.constantFrom('*', '**', ''),
  fc.stringMatching(/^[ab.*-]{1,5}$/),
)
const glob = fc.array(globSegment, { minLength: 1, maxLength: 5 }).map((segments) => '/' + segments.join('/'))
const path = fc.array(fc.stringMatching(/^[ab.-]{0,4}$/), { minLength: 1, maxLength: 6 }).map((segments) => '/' + segments.join('/'))

const allows = (g: string, p: string): boolean =>
  compileAccess({ anonymous: true, callers: [], users: false, allow: [`GET ${g}`] }).routeAllowed('GET', p)

t.test('allow globs match exactly when the reference RegExp matches', async (t) => {
  fc.assert(fc.property(glob, path, (g, p) => allows(g, p) === referenceMatches(g, p)), { numRuns: 20_000 })
  t.pass('20,000 glob and path pairs agree')
})

t.test('allow globs stay linear on long paths built from the same alphabet', async (t) => {
  const longPath = fc.array(fc.stringMatching(/^[ab.-]{0,40}$/), { minLength: 100, maxLength: 400 }).map((s) => '/' + s.join('/'))
  let slowest = 0
  fc.assert(fc.property(glob, longPath, (g, p) => {
    const started = performance.now()
    allows(g, p)
    slowest = Math.max(slowest, performance.now() - started)
  }), { numRuns: 500 })
  // Linear: microseconds. The bound only separates that from backtracking (seconds).
  t.ok(slowest < 200, `slowest match took ${slowest.toFixed(2)} ms`)
})
