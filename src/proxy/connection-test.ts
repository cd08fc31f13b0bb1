/**
 * Runs a connector's `test` request for one connection (CLI `connections test`, admin API).
 * It goes through the same render and auth steps as the data plane, as the operator: no caller
 * access policy applies. The debug output masks every credential value.
 */
import { performance } from 'node:perf_hooks'
import type { Dispatcher } from 'undici'
import { ANONYMOUS } from '../callers/types.js'
import { GatewayError } from '../errors.js'
import type { TemplateCompiler } from '../config/semantic.js'
import type { CompiledConnection } from '../runtime/connection.js'
import type { Runtime } from '../runtime/build.js'
import type { SecretLookup } from '../runtime/secrets.js'
import type { Upstreams } from './forward.js'
import { sendUpstream } from './forward.js'
import { checkForwardPath } from './path-safety.js'
import { prepareUpstreamRequest } from './prepare.js'
import { templateContext } from './request-context.js'
import { valueAt } from '../text/json-path.js'

export const MASK = '****'

/** The most of a test answer read to check `expect_json`. */
export const MAX_TEST_ANSWER = 1024 * 1024

export interface ConnectionTestResult {
  ok: boolean
  status: number | null
  duration_ms: number
  error?: { code: string, message: string }
  debug: { url: string, method: string, headers: Record<string, string>, query: Record<string, string> }
}

/** What a connection test needs: the running config and the data plane's render and send steps. */
export interface ConnectionTestDeps {
  runtime: () => Runtime
  compiler: () => TemplateCompiler
  secrets: SecretLookup
  upstreams: Upstreams
  /** A YAML or stored connection by id. */
  lookup: (id: string) => Promise<CompiledConnection | undefined>
}

export async function testConnectionById (deps: ConnectionTestDeps, id: string): Promise<ConnectionTestResult> {
  const conn = await deps.lookup(id)
  if (conn === undefined) throw new GatewayError('connection_not_found', 'no such connection')
  return runConnectionTest(deps, conn)
}

/**
 * Runs `conn`'s connector test. `conn` may be one not stored yet (the connect page tests typed
 * credentials before it stores anything).
 */
export async function runConnectionTest (deps: Omit<ConnectionTestDeps, 'lookup'>, conn: CompiledConnection): Promise<ConnectionTestResult> {
  const runtime = deps.runtime()
  const test = conn.connector.test
  if (test === undefined) throw new GatewayError('invalid_request', `connector ${conn.connector.slug} defines no test request`)
  const method = test.method ?? 'GET'
  // The connection's own context (id, owner, config), as a request to it would see it.
  const context = templateContext(conn, ANONYMOUS, method, '', { values: {} })
  const testPath = deps.compiler().compile(test.path, 'path').render(context, new Map())
  const q = testPath.indexOf('?')
  const path = checkForwardPath(q === -1 ? testPath : testPath.slice(0, q)).path
  const started = performance.now()
  const prepared = await prepareUpstreamRequest(
    { conn, caller: ANONYMOUS, method, path, rawQuery: q === -1 ? '' : testPath.slice(q + 1), headers: [] },
    { secrets: deps.secrets, upstreams: deps.upstreams, allowPrivate: runtime.config.server.allow_private_upstreams })

  const sensitive = [...prepared.secrets.values(), ...Object.values(prepared.context.connection.credentials),
    ...prepared.auth.headers.map(([, v]) => v), ...prepared.auth.query.map(([, v]) => v)].filter((v) => v.length > 0)
  const mask = (value: string) => sensitive.some((s) => value.includes(s) || value.includes(encodeURIComponent(s))) ? MASK : value
  const url = new URL(prepared.base.origin + prepared.path)
  const debug = {
    url: `${url.origin}${url.pathname}`,
    method,
    headers: Object.fromEntries(Object.entries(prepared.headers).map(([k, v]) => [k, mask(Array.isArray(v) ? v.join(', ') : v)])),
    query: Object.fromEntries([...url.searchParams].map(([k, v]) => [k, mask(v)])),
  }
  try {
    const res = await sendUpstream({
      dispatcher: prepared.base.dispatcher,
      origin: prepared.base.origin,
      path: prepared.path,
      method,
      headers: prepared.headers,
      body: null,
      timeoutMs: runtime.config.server.upstream_timeout_ms,
    })
    const expected = test.expect_status
    const statusOk = expected === undefined ? res.statusCode >= 200 && res.statusCode < 300 : res.statusCode === expected
    const expectJson = test.expect_json
    if (!statusOk || expectJson === undefined || Object.keys(expectJson).length === 0) {
      await res.body.dump()
      return { ok: statusOk, status: res.statusCode, duration_ms: Math.round(performance.now() - started), debug }
    }
    const problem = checkExpectedJson(await readBounded(res.body, MAX_TEST_ANSWER, runtime.config.server.upstream_timeout_ms), expectJson)
    return {
      ok: problem === undefined,
      status: res.statusCode,
      duration_ms: Math.round(performance.now() - started),
      ...(problem === undefined ? {} : { error: { code: 'unexpected_answer', message: problem } }),
      debug,
    }
  } catch (err) {
    const e = err instanceof GatewayError ? err : new GatewayError('upstream_unreachable', 'the upstream could not be reached')
    return { ok: false, status: null, duration_ms: Math.round(performance.now() - started), error: { code: e.code, message: e.message }, debug }
  }
}

type AnswerBody = Dispatcher.ResponseData['body']

/**
 * The answer's bytes, or 'too_large' past `limit` (the rest is not read: the body is
 * destroyed). A body that stalls past `timeoutMs` fails like an unreachable upstream.
 */
async function readBounded (body: AnswerBody, limit: number, timeoutMs: number): Promise<Buffer | 'too_large'> {
  const timer = setTimeout(() => body.destroy(new GatewayError('upstream_timeout', 'the upstream did not answer in time')), timeoutMs)
  try {
    const chunks: Buffer[] = []
    let size = 0
    for await (const chunk of body) {
      size += (chunk as Buffer).length
      if (size > limit) {
        body.destroy()
        return 'too_large'
      }
      chunks.push(chunk as Buffer)
    }
    return Buffer.concat(chunks)
  } finally {
    clearTimeout(timer)
  }
}

/**
 * Why the answer does not meet `expect_json`, or undefined when it does. The message names the
 * path, never the value found (it may be account data).
 */
export function checkExpectedJson (answer: Buffer | 'too_large', expected: Readonly<Record<string, unknown>>): string | undefined {
  if (answer === 'too_large') return `the answer is larger than ${MAX_TEST_ANSWER / 1024 / 1024} MiB: its JSON was not checked`
  let parsed: unknown
  try {
    parsed = JSON.parse(answer.toString('utf8'))
  } catch {
    return 'the answer is not JSON'
  }
  for (const [path, value] of Object.entries(expected)) {
    if (valueAt(parsed, path) !== value) return `the answer's ${path} is not the expected value`
  }
  return undefined
}
