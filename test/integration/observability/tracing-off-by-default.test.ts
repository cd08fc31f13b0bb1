/**
 * Without `server.tracing.enabled` there is no tracing at all, whatever OTEL_* variables say:
 * no @opentelemetry module is loaded (a module hook in the gateway process watches every CJS
 * and ESM load), nothing is exported, and the upstream sees the caller's traceparent exactly as
 * today (forwarded unchanged, none added). The same hook in a traced gateway does see the
 * modules, and its spans reach the receiver when it stops on SIGTERM (flushed at shutdown).
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import t from 'tap'
import { generateMasterKey } from '../../../src/secrets/master-key.js'
import { startGatewayProcess } from '../../helpers/gateway-process.js'
import { otlpReceiver } from '../../helpers/otlp-receiver.js'
import { recordingUpstream } from '../../helpers/upstream.js'

/** Runs in the ESM loader thread: every resolved URL goes back to the gateway's main thread. */
const HOOKS = `let port
export function initialize (data) { port = data.port }
export async function resolve (specifier, context, next) {
  const resolved = await next(specifier, context)
  port.postMessage(resolved.url)
  return resolved
}`

/** Preloaded into the gateway: reports each @opentelemetry module on stderr, ESM or CJS. */
const WATCH = `import { createRequire, register } from 'node:module'
import { MessageChannel } from 'node:worker_threads'
const report = (name, by) => { if (String(name).includes('@opentelemetry')) process.stderr.write('loaded ' + name + (by === undefined ? '' : ' by ' + by) + '\\n') }
const { port1, port2 } = new MessageChannel()
port1.on('message', report)
port1.unref()
register('data:text/javascript,' + encodeURIComponent(${JSON.stringify(HOOKS)}), { data: { port: port2 }, transferList: [port2] })
const Module = createRequire(process.cwd() + '/')('node:module')
const load = Module._load
Module._load = function (request, parent, ...rest) { report(request, parent?.filename); return load.call(this, request, parent, ...rest) }
`
const PRELOAD = [`--import=data:text/javascript,${encodeURIComponent(WATCH)}`]

const CALLER_TRACEPARENT = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01'

t.test('tracing is off unless enabled, and then free', async (t) => {
  const receiver = await otlpReceiver(t)
  const upstream = await recordingUpstream(t)
  const dir = await mkdtemp(path.join(tmpdir(), 'latchkey-tracing-off-'))
  t.teardown(() => rm(dir, { recursive: true, force: true }))
  const config = (tracing: string) => `
server: { host: 127.0.0.1, port: 0, allow_private_upstreams: true, log_level: info${tracing} }
store: { type: file, path: ${path.join(dir, 'data')} }
connectors:
  plain: { base_url: "${upstream.url}", auth: { methods: { none: { type: none } } } }
connections:
  plain: { connector: plain, access: { anonymous: true } }
`
  const off = path.join(dir, 'off.yaml')
  const on = path.join(dir, 'on.yaml')
  await writeFile(off, config(''))
  await writeFile(on, config(`, tracing: { enabled: true, endpoint: "${receiver.url}" }`))
  // The standard variables alone never turn tracing on.
  const env = {
    LATCHKEY_MASTER_KEY: generateMasterKey(),
    OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url.replace('/v1/traces', ''),
    OTEL_TRACES_SAMPLER: 'always_on',
    OTEL_SERVICE_NAME: 'latchkey-off',
  }
  const get = async (url: string, headers: Record<string, string> = {}) => {
    const res = await fetch(url, { headers })
    await res.arrayBuffer()
    t.equal(res.status, 200)
    return upstream.last()
  }

  const [plain, traced] = await Promise.all([
    startGatewayProcess(t, off, env, dir, { nodeArgs: PRELOAD }),
    startGatewayProcess(t, on, env, dir, { nodeArgs: PRELOAD }),
  ])

  await t.test('off: no traceparent added, the caller\'s passed through unchanged', async (t) => {
    const bare = await get(`${plain.url}/proxy/plain/a`)
    t.notOk('traceparent' in bare.headers)
    t.notOk('tracestate' in bare.headers)
    const passed = await get(`${plain.url}/proxy/plain/b`, { traceparent: CALLER_TRACEPARENT, tracestate: 'vendor=opaque' })
    t.equal(passed.headers.traceparent, CALLER_TRACEPARENT)
    t.equal(passed.headers.tracestate, 'vendor=opaque')
    await plain.stop()
    t.equal(plain.child.exitCode, 0)
    // Only the API package, which prom-client's process_cpu metric requires for its exemplars
    // (with or without tracing, before tracing existed): the no-op API, no SDK, no exporter.
    const loaded = plain.stderr().split('\n').filter((l) => l.startsWith('loaded '))
    t.ok(loaded.length > 0 && loaded.every((l) => /^loaded @opentelemetry\/api by .*prom-client\/lib\/metrics\/processCpuTotal\.js$/.test(l)),
      'no @opentelemetry module but prom-client\'s @opentelemetry/api', { loaded })
  })

  await t.test('off: nothing exported', async (t) => {
    // The traced gateway has not answered anything yet, so the receiver must be empty.
    t.equal(receiver.requests.length, 0)
  })

  await t.test('on (control): the hook sees the modules; spans flushed on SIGTERM', async (t) => {
    t.match(traced.stderr(), /loaded .*@opentelemetry\/sdk-trace-base/, 'the watch would have seen a load')
    const seen = await get(`${traced.url}/proxy/plain/c`)
    t.match(seen.headers.traceparent, /^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/)
    await traced.stop()
    t.equal(traced.child.exitCode, 0)
    const spans = receiver.spans()
    t.ok(spans.some((s) => s.name === 'proxy'), 'the buffered spans were exported at shutdown')
    t.equal(spans[0]?.resource['service.name'], 'latchkey-off', 'OTEL_SERVICE_NAME read when enabled')
  })
})
