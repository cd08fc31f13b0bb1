/**
 * Defends: one anonymous request cannot stall the process through `allow` matching (SPEC 6.3:
 * "allow matching ... run in time linear in the length of the path"). A RegExp compiled from
 * `/reports/*-*-*.csv` took about 35 s on `/reports/` plus 5,000 dashes, and /healthz stopped
 * answering meanwhile. Every glob shape meets 10 KB hostile paths and must answer in
 * milliseconds; end to end, the original request is refused at once while /healthz answers.
 */
import { performance } from 'node:perf_hooks'
import t from 'tap'
import { compileAccess } from '../../src/callers/access.js'
import { startGateway } from '../helpers/gateway.js'
import { errorCode, rawRequest } from '../helpers/raw-http.js'

const GLOB_SHAPES = [
  '/reports/*-*-*.csv',
  '/*-*-*-*-*-*-*-*/x',
  '/a*a*a*a*a*a*a*b',
  '/**/*-*-*.csv',
  '/**/**/**/**/z',
  '/**/a/**/a/**/a/**/b',
  '/*/*/*/*/*/*/*/*/b',
  '/v1/**',
  '/**',
  '/x/**/y*z/**/end',
]

const dashes = '-'.repeat(10_000)
const HOSTILE_PATHS = [
  `/reports/${dashes}`,
  `/reports/${dashes}.cs`,
  `/${dashes}/x`,
  `/${'a'.repeat(10_000)}`,
  '/a'.repeat(5_000),
  `${'/a'.repeat(4_000)}/c`,
  `${'/-'.repeat(4_000)}.csv`,
  `/x${'/y-z'.repeat(2_000)}/nope`,
]

// Linear matching of 10 KB takes well under a millisecond; a backtracking matcher takes seconds
// or never ends. The bound leaves room for a loaded CI machine and still tells the two apart.
const BOUND_MS = 200

t.test('every glob shape against 10 KB hostile paths answers in milliseconds', async (t) => {
  for (const glob of GLOB_SHAPES) {
    const access = compileAccess({ anonymous: true, callers: [], users: false, allow: [`GET ${glob}`] })
    for (const path of HOSTILE_PATHS) {
      const started = performance.now()
      access.routeAllowed('GET', path)
      const ms = performance.now() - started
      t.ok(ms < BOUND_MS, `${glob} against a ${path.length}-character path took ${ms.toFixed(2)} ms`)
    }
  }
})

t.test('the reported request is refused at once and /healthz keeps answering', async (t) => {
  const upstream = 'http://127.0.0.1:9' // never contacted: the rule refuses first
  const gw = await startGateway(t, `
connectors:
  files:
    base_url: ${upstream}
connections:
  files:
    connector: files
    access: { anonymous: true, allow: ['GET /reports/*-*-*.csv'] }
`)
  const started = performance.now()
  const [attack, health] = await Promise.all([
    rawRequest(gw.url, { path: `/proxy/files/reports/${'-'.repeat(5_000)}` }),
    gw.fetch('/healthz'),
  ])
  const ms = performance.now() - started
  t.equal(attack.status, 403)
  t.equal(errorCode(attack.text), 'route_not_allowed')
  t.equal(health.status, 200)
  t.ok(ms < 2_000, `answered in ${ms.toFixed(0)} ms`)
})
