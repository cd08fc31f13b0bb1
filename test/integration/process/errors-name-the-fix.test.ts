/**
 * An operator's first mistakes get answers that say what to do: a local upstream through the
 * `http` connector names `server.allow_private_upstreams`, a call without credentials names
 * X-Latchkey-Key and user tokens, and a missing secret names `latchkey secrets set`.
 */
import t from 'tap'
import { startGateway } from '../../helpers/gateway.js'
import { recordingUpstream } from '../../helpers/upstream.js'

const errorOf = async (res: Response) => ((await res.json()) as { error: { code: string, message: string } }).error

t.test('refusals name the fix', async (t) => {
  const upstream = await recordingUpstream(t)
  const lk = await startGateway(t, `
callers:
  api_keys:
    svc: { key: "{{ get_secret('svc_key') }}" }
connectors:
  api:
    base_url: ${upstream.url}
    auth: { methods: { b: { type: bearer, token: "{{ get_secret('api_token') }}" } } }
connections:
  local: { connector: http, config: { base_url: "${upstream.url}" }, access: { anonymous: true } }
  keyed: { connector: api, access: { callers: [svc] } }
`, { secrets: { svc_key: 'svc-key-errors-fix-1a2b' } })

  let res = await lk.fetch('/proxy/local/v1/x')
  t.equal(res.status, 400)
  let error = await errorOf(res)
  t.equal(error.code, 'invalid_path')
  t.match(error.message, /^upstream host is not allowed: .*private or loopback address.*server\.allow_private_upstreams: true/)
  t.notMatch(error.message, /127\.0\.0\.1/, 'the address is not repeated')

  res = await lk.fetch('/proxy/keyed/v1/x')
  t.equal(res.status, 403)
  error = await errorOf(res)
  t.equal(error.code, 'forbidden')
  t.match(error.message, /send X-Latchkey-Key .*Authorization: Bearer/)

  res = await lk.fetch('/proxy/keyed/v1/x', { headers: { 'x-latchkey-key': 'svc-key-errors-fix-1a2b' } })
  t.equal(res.status, 500)
  error = await errorOf(res)
  t.equal(error.code, 'secret_not_found')
  t.equal(error.message, "secret 'api_token' is not set: latchkey secrets set api_token")
  t.equal(upstream.received.length, 0, 'nothing reached the upstream')

})
