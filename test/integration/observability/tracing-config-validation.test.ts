/**
 * `server.tracing` is checked like the rest of the config, each problem at its YAML position,
 * and what only the start can know (the OTEL_* variables, the collector headers' secrets) stops
 * the start with a message naming the setting, never its value. Changing it needs a restart.
 */
import { writeFile } from 'node:fs/promises'
import t from 'tap'
import { problemsOf } from '../../helpers/config.js'
import { startGateway } from '../../helpers/gateway.js'

t.test('schema problems, each at its position', async (t) => {
  t.same(problemsOf(`server:
  tracing:
    enabled: yes-please
    endpoint: ftp://collector/v1/traces
    sample_ratio: 1.5
    headers:
      "Bad Header": x
      X-Key: "{{ connection.credentials.k }}"
    batch: 5
`), [
    '3:14: server.tracing.enabled: expected a boolean',
    '4:15: server.tracing.endpoint: expected an http(s) URL: the OTLP/HTTP traces endpoint',
    '5:19: server.tracing.sample_ratio: must be <= 1',
    "7:7: server.tracing.headers: invalid header name (must match ^[A-Za-z0-9!#$%&'*+.^_`|~-]+$): 'Bad Header'",
    '8:14: server.tracing.headers.X-Key: caller templates may only use get_secret(), get_variable(), now() and literals (template line 1, column 4)',
    "9:5: server.tracing: unknown key 'batch'",
  ])
  t.same(problemsOf(`server:
  tracing: { enabled: true, endpoint: "https://collector.example:4318/v1/traces", service_name: edge, sample_ratio: 0.25, headers: { X-Key: "{{ get_secret('k') }}" } }
`), [], 'a full block is valid')
})

t.test('what the start checks: variables and the collector headers', async (t) => {
  const yaml = (extra = '') => `server:\n  tracing: { enabled: true${extra} }\n`
  const refused = async (name: string, text: string, env: NodeJS.ProcessEnv, message: RegExp, secret?: string) => {
    await t.test(name, async (t) => {
      const err = await startGateway(t, text, { env }).then(() => undefined, (e: Error) => e)
      t.match(err?.message, message)
      if (secret !== undefined) t.notMatch(err?.message, secret, 'the value is not repeated')
    })
  }
  await refused('an unknown sampler', yaml(), { OTEL_TRACES_SAMPLER: 'sometimes' }, /^OTEL_TRACES_SAMPLER must be always_on, /)
  await refused('a sampler ratio out of range', yaml(), { OTEL_TRACES_SAMPLER: 'traceidratio', OTEL_TRACES_SAMPLER_ARG: '2' }, /^OTEL_TRACES_SAMPLER_ARG must be a ratio from 0 to 1$/)
  await refused('an endpoint variable that is no URL', yaml(), { OTEL_EXPORTER_OTLP_ENDPOINT: 'collector-pw-4d3c:4318' }, /^OTEL_EXPORTER_OTLP_ENDPOINT must be an http or https URL$|^OTEL_EXPORTER_OTLP_ENDPOINT is not a URL$/, 'collector-pw-4d3c')
  await refused('a header whose secret is missing', yaml(`, headers: { X-Key: "{{ get_secret('otlp_key') }}" }`), {},
    /^server\.tracing\.headers\.X-Key did not render \(secret_not_found\)$/)

  await t.test('off: the variables are not even read', async (t) => {
    const gw = await startGateway(t, 'server: { tracing: { enabled: false } }\n', { env: { OTEL_TRACES_SAMPLER: 'sometimes' } })
    t.equal((await gw.fetch('/healthz')).status, 200)
  })
  await t.test('OTEL_SDK_DISABLED=true turns it off again', async (t) => {
    const gw = await startGateway(t, yaml(), { env: { OTEL_SDK_DISABLED: 'true', OTEL_TRACES_SAMPLER: 'sometimes' } })
    t.equal((await gw.fetch('/healthz')).status, 200)
  })
})

t.test('a reload that changes server.tracing is refused', async (t) => {
  const gw = await startGateway(t, 'server: { tracing: { enabled: false } }\n')
  await writeFile(gw.configFile, 'server: { tracing: { enabled: true } }\n')
  const err = await gw.gateway.reload().then(() => undefined, (e: unknown) => e as { problems?: Array<{ message: string }> })
  t.same(err?.problems?.map((p) => p.message), ['server.tracing: changes need a restart'])
})
