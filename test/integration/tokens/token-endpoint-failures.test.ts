/**
 * SPEC 7.1/6.5: every way a token endpoint can fail is 502 token_exchange_failed, the upstream
 * is never contacted, and neither the provider's error_description nor any secret reaches the
 * caller or the logs.
 */
import t from 'tap'
import { assertNoSecrets, startGateway } from '../../helpers/gateway.js'
import { closedPort, tokenEndpoint, type TokenAnswer } from '../../helpers/token-endpoint.js'
import { recordingUpstream } from '../../helpers/upstream.js'

const CLIENT_SECRET = 'cs-XYZ-failing-3c2b1a'
/**
 * token_timeout. 1 s, not less: every other answer below must arrive in time on a loaded 2-core
 * machine (tap runs two files at once), or it would fail as "too slow" instead of as itself.
 */
const TIMEOUT_MS = 1000
/** The slow endpoint would answer this late; it is abandoned long before. */
const SLOW_MS = 5000
const DESCRIPTION = `client secret ${CLIENT_SECRET} is wrong`

// One connection per failure, told apart by client_id at the token endpoint.
const ANSWERS: Record<string, TokenAnswer> = {
  slow: { delayMs: SLOW_MS, body: { access_token: 'at-too-late-0000', expires_in: 3600 } },
  rejected: { status: 401, body: { error: 'invalid_client', error_description: DESCRIPTION } },
  'server-error': { status: 500, body: `<html>internal error for ${CLIENT_SECRET}</html>`, contentType: 'text/html' },
  empty: { body: '' },
  malformed: { body: '{"access_token": "at-half-written' },
  'no-token': { body: { token_type: 'Bearer', expires_in: 3600 } },
  'empty-token': { body: { access_token: '', expires_in: 3600 } },
  'not-json': { body: 'access_token=at-form-but-not-json', contentType: 'text/plain' },
  array: { body: [{ access_token: 'at-in-an-array' }] },
}

t.test('token endpoint failures are 502 token_exchange_failed', async (t) => {
  const idp = await tokenEndpoint(t)
  idp.answer = (req) => ANSWERS[req.form.get('client_id') ?? ''] ?? { status: 400, body: { error: 'unexpected' } }
  const down = await closedPort()
  const upstream = await recordingUpstream(t)
  const method = (name: string, url: string) => `
        ${name}: { type: oauth_client_credentials, token_url: "${url}", client_id: ${name}, client_secret: "{{ get_secret('cs') }}" }`
  const names = ['down', ...Object.keys(ANSWERS)]
  const lk = await startGateway(t, `
server: { allow_private_upstreams: true, token_timeout: ${TIMEOUT_MS}ms }
connectors:
  api:
    base_url: ${upstream.url}
    auth:
      default: down
      methods:${names.map((n) => method(n, n === 'down' ? `http://127.0.0.1:${down}/token` : idp.url)).join('')}
connections:${names.map((n) => `
  ${n}: { connector: api, auth: ${n}, access: { anonymous: true } }`).join('')}
`, { secrets: { cs: CLIENT_SECRET } })

  const bodies: string[] = []
  for (const name of names) {
    await t.test(name, async (t) => {
      const before = idp.requests.length
      const started = performance.now()
      const res = await lk.fetch(`/proxy/${name}/v1/items`, { method: 'POST', body: '{"a":1}', headers: { 'content-type': 'application/json' } })
      const ms = performance.now() - started
      const text = await res.text()
      bodies.push(text, JSON.stringify([...res.headers]))
      t.equal(res.status, 502)
      t.match(res.headers.get('content-type'), /^application\/json/)
      const body = JSON.parse(text) as { error: { code: string, message: string, request_id: string } }
      t.equal(body.error.code, 'token_exchange_failed')
      t.type(body.error.message, 'string')
      t.ok(body.error.request_id)
      t.equal(idp.requests.length, before + (name === 'down' ? 0 : 1), 'one token request')
      // Loose bounds for a loaded CI box: not before token_timeout, and well before the answer.
      if (name === 'slow') t.ok(ms >= TIMEOUT_MS - 20 && ms < TIMEOUT_MS + 3000, `gave up at token_timeout (${TIMEOUT_MS} ms), before the ${SLOW_MS} ms answer (${Math.round(ms)} ms)`)
      if (name === 'rejected') t.match(body.error.message, /401/, 'the status is named')
      t.comment(`${name}: ${body.error.message}`)
    })
  }
  t.equal(upstream.received.length, 0, 'the upstream was never contacted')

  // Let any late log line about the abandoned slow exchange arrive, so it is scanned too (the
  // endpoint itself stops waiting once latchkey has closed that request).
  await new Promise((resolve) => setTimeout(resolve, 300))
  const all = [...bodies, ...lk.logs]
  assertNoSecrets(t, all, [CLIENT_SECRET, DESCRIPTION, 'is wrong', 'at-too-late-0000', 'at-half-written', 'at-form-but-not-json', 'at-in-an-array'])
})
