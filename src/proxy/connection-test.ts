/**
 * Runs a connector's `test` request for one connection (CLI `connections test`, admin API).
 * It goes through the same render and auth steps as the data plane, as the operator: no caller
 * access policy applies. The debug output masks every credential value.
 */
import { performance } from 'node:perf_hooks'
import { ANONYMOUS } from '../callers/types.js'
import { GatewayError } from '../errors.js'
import type { TemplateCompiler } from '../config/semantic.js'
import type { CompiledConnection } from '../runtime/connection.js'
import type { ConnectionService } from '../connections/service.js'
import { AnswerCollector } from '../pipeline/collect.js'
import { execute, type PipelineDeps } from '../pipeline/execute.js'
import { checkForwardPath } from './path-safety.js'
import type { PreparedRequest } from './prepare.js'
import { RequestTimer } from './timing.js'
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

/** What a connection test needs: the running config and the data plane's steps. */
export interface ConnectionTestDeps extends PipelineDeps {
  compiler: () => TemplateCompiler
  /** A YAML or stored connection by id. */
  lookup: ConnectionService['lookup']
}

export async function testConnectionById (deps: ConnectionTestDeps, id: string): Promise<ConnectionTestResult> {
  const conn = await deps.lookup(id)
  if (conn === undefined) throw new GatewayError('connection_not_found', 'no such connection')
  return runConnectionTest(deps, conn)
}

/**
 * Runs `conn`'s connector test through execute(), as the operator (no caller policy applies).
 * `conn` may be one not stored yet (the connect page tests typed credentials before it stores
 * anything). A render or credential failure throws; a failed send is a failed test.
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
  const path = checkForwardPath(q === -1 ? testPath : testPath.slice(0, q))
  const started = performance.now()
  const collector = new AnswerCollector(MAX_TEST_ANSWER, runtime.config.server.upstream_timeout_ms)
  let debug: ConnectionTestResult['debug'] | undefined
  const duration = (): number => Math.round(performance.now() - started)
  try {
    await execute({
      conn,
      method,
      target: { path, rawQuery: q === -1 ? '' : testPath.slice(q + 1) },
      principal: { kind: 'operator' },
      rawHeaders: [],
      headers: {},
      body: null,
      ip: '',
      timer: new RequestTimer(),
      respond: collector,
      inspect: (prepared) => { debug = maskedDebug(prepared, method) },
      warn: () => {},
    }, deps)
    const answer = await collector.answer
    const expected = test.expect_status
    const statusOk = expected === undefined ? answer.status >= 200 && answer.status < 300 : answer.status === expected
    const expectJson = test.expect_json
    const problem = !statusOk || expectJson === undefined || Object.keys(expectJson).length === 0
      ? undefined
      : checkExpectedJson(answer.body, expectJson)
    return {
      ok: statusOk && problem === undefined,
      status: answer.status,
      duration_ms: duration(),
      ...(problem === undefined ? {} : { error: { code: 'unexpected_answer', message: problem } }),
      debug: debug!,
    }
  } catch (err) {
    // Nothing was prepared: the connection cannot be rendered, which is the caller's to hear.
    if (debug === undefined) throw err
    const e = err instanceof GatewayError ? err : new GatewayError('upstream_unreachable', 'the upstream could not be reached')
    return { ok: false, status: null, duration_ms: duration(), error: { code: e.code, message: e.message }, debug }
  }
}

/** The request as prepared, every credential value masked. */
function maskedDebug (prepared: PreparedRequest, method: string): ConnectionTestResult['debug'] {
  const sensitive = [...prepared.secrets.values(), ...Object.values(prepared.context.connection.credentials),
    ...prepared.auth.headers.map(([, v]) => v), ...prepared.auth.query.map(([, v]) => v)].filter((v) => v.length > 0)
  const mask = (value: string) => sensitive.some((s) => value.includes(s) || value.includes(encodeURIComponent(s))) ? MASK : value
  const url = new URL(prepared.base.origin + prepared.path)
  return {
    url: `${url.origin}${url.pathname}`,
    method,
    headers: Object.fromEntries(Object.entries(prepared.headers).map(([k, v]) => [k, mask(Array.isArray(v) ? v.join(', ') : v)])),
    query: Object.fromEntries([...url.searchParams].map(([k, v]) => [k, mask(v)])),
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
