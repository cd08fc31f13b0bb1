/**
 * SPEC 8: values typed into the connect form are data. A template-looking value is stored and
 * sent upstream literally: never compiled, never rendered, never resolving a secret.
 */
import t from 'tap'
import { recordingUpstream } from '../helpers/upstream.js'
import { APP_KEY, createSession, startConnectGateway, submitForm } from '../helpers/connect.js'

const TEMPLATE = "{{ get_secret('app_key') }}"

t.test('a template in a typed value reaches the upstream literally', async (t) => {
  const upstream = await recordingUpstream(t)
  const lk = await startConnectGateway(t, { upstream: upstream.url })
  const { body } = await createSession(lk, { connector: 'multi', connection: 'm1', auth: 'token' })
  const res = await submitForm(lk, body.token, { token: TEMPLATE }, 'token')
  t.equal(res.status, 200)
  t.equal(upstream.last().headers.authorization, `Bearer ${TEMPLATE}`, 'the connector test sent it literally')
  t.equal((await lk.gateway.connections.stored('m1'))?.credentials.token, TEMPLATE)

  const proxied = await lk.fetch('/proxy/m1/me', { headers: { 'x-latchkey-key': APP_KEY } })
  t.equal(proxied.status, 200)
  t.equal(upstream.last().headers.authorization, `Bearer ${TEMPLATE}`, 'and so does the data plane')
  t.notOk(upstream.received.some((r) => JSON.stringify(r.headers).includes(APP_KEY)), 'no secret was resolved')
})

t.test('a template in a config value is shown again as text, not rendered', async (t) => {
  const upstream = await recordingUpstream(t)
  const lk = await startConnectGateway(t, { upstream: upstream.url })
  const { body } = await createSession(lk, { connector: 'multi', connection: 'm2', auth: 'login' })
  const res = await submitForm(lk, body.token, { username: "{{ get_secret('jwt_secret') }}{% raw %}", password: '' }, 'login')
  t.equal(res.status, 400)
  const html = await res.text()
  t.ok(html.includes('value="{{ get_secret(&#39;jwt_secret&#39;) }}{% raw %}"'), 'kept verbatim, escaped')
  t.notOk(html.includes('hs256-connect-secret'), 'never rendered')
})
