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
import type { Runtime } from '../runtime/build.js'
import type { SecretLookup } from '../runtime/secrets.js'
import type { Upstreams } from './forward.js'
import { sendUpstream } from './forward.js'
import { checkForwardPath } from './path-safety.js'
import { prepareUpstreamRequest } from './prepare.js'
import { templateContext } from './request-context.js'

export const MASK = '****'

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
    await res.body.dump()
    const expected = test.expect_status
    const ok = expected === undefined ? res.statusCode >= 200 && res.statusCode < 300 : res.statusCode === expected
    return { ok, status: res.statusCode, duration_ms: Math.round(performance.now() - started), debug }
  } catch (err) {
    const e = err instanceof GatewayError ? err : new GatewayError('upstream_unreachable', 'the upstream could not be reached')
    return { ok: false, status: null, duration_ms: Math.round(performance.now() - started), error: { code: e.code, message: e.message }, debug }
  }
}
