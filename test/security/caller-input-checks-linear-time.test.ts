/**
 * Defends: every check that reads caller input runs in time linear in its length (SPEC 6.3),
 * so no request can stall the process. The audit after the `allow` glob finding: path safety,
 * the query check, the request id, the credential headers, templated host globs, CORS
 * preflight tokens, action parameters, and the template filters a caller's value can reach.
 * Each meets 10 KB inputs shaped to make a backtracking matcher fail late.
 */
import { performance } from 'node:perf_hooks'
import t from 'tap'
import { compileCors } from '../../src/callers/cors.js'
import { identifyCaller } from '../../src/callers/identify.js'
import { parseActionParams } from '../../src/proxy/action-params.js'
import { safeRequestId } from '../../src/proxy/header-hygiene.js'
import { compileHostGlobs } from '../../src/proxy/host-guard.js'
import { checkForwardPath, checkQueryString } from '../../src/proxy/path-safety.js'
import { parseCallerQuery } from '../../src/proxy/query.js'
import { splitProxyUrl } from '../../src/proxy/target.js'
import { TemplateEngine } from '../../src/templates/index.js'
import { makeContext, NO_SECRETS } from '../unit/templates/fixtures/context.js'

const N = 10_000
const BOUND_MS = 200

function hostile (): string[] {
  return [
    'a'.repeat(N) + '!',
    '%2e'.repeat(N / 3),
    '%25'.repeat(N / 3) + '%',
    '/.'.repeat(N / 2),
    '/..'.repeat(N / 3).slice(1),
    '=' .repeat(N) + 'x',
    ' '.repeat(N) + 'x',
    'Bearer ' + ' '.repeat(N) + '!',
    'Bearer ' + 'a'.repeat(N) + ' !',
    '-'.repeat(N),
    'a.'.repeat(N / 2) + '!',
    'a:'.repeat(N / 2),
    ';'.repeat(N),
    '\u00e9'.repeat(N),
  ]
}

async function timed (t: { ok: (value: unknown, message: string) => unknown }, name: string, run: (input: string) => unknown): Promise<void> {
  let slowest = 0
  for (const input of hostile()) {
    const started = performance.now()
    try {
      await run(input)
    } catch {
      // Refusing is fine; taking long is not.
    }
    slowest = Math.max(slowest, performance.now() - started)
  }
  t.ok(slowest < BOUND_MS, `${name}: slowest of ${hostile().length} 10 KB inputs took ${slowest.toFixed(2)} ms`)
}

t.test('every caller-input check is linear', async (t) => {
  await timed(t, 'path safety', (s) => checkForwardPath('/' + s))
  await timed(t, 'query check', (s) => checkQueryString(s))
  await timed(t, 'query parsing', (s) => parseCallerQuery(s))
  await timed(t, 'proxy URL split', (s) => splitProxyUrl('/proxy/' + s))
  await timed(t, 'request id', (s) => safeRequestId(s))
  await timed(t, 'Authorization', (s) => identifyCaller({ authorization: s }, {}))
  await timed(t, 'X-Latchkey-Key', (s) => identifyCaller({ 'x-latchkey-key': s }, {}))
  const hosts = compileHostGlobs(['**.example.com', '*-*-*.tenant.example.com', 'api.*.*.*.example.com'])
  await timed(t, 'allowed_hosts', (s) => hosts(s))
  const cors = compileCors({ origins: ['https://app.example.com'] })
  await timed(t, 'CORS preflight', (s) => cors.preflight('https://app.example.com', s, s))
  await timed(t, 'action params', (s) => parseActionParams({ id: s }, ['id']))
  const engine = new TemplateEngine({ variables: {} })
  for (const filter of ['base64_decode', 'from_json', 'urlencode', 'sha256', 'lower', 'tojson']) {
    const template = engine.compile(`{{ request.query.v | ${filter} }}`, 'auth')
    await timed(t, `filter ${filter}`, (s) => template.render(makeContext({ request: { method: 'GET', path: '/', query: { v: s } } }), NO_SECRETS))
  }
})
