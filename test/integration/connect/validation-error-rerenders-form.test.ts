/**
 * SPEC 8: inputs are checked again on the server. A bad value re-renders the form with 400, the
 * message next to its field (aria-describedby, aria-invalid), typed values kept except passwords.
 */
import t from 'tap'
import { recordingUpstream } from '../../helpers/upstream.js'
import { createSession, startConnectGateway, submitForm } from '../../helpers/connect.js'

t.test('a bad pattern and a missing value are shown next to their fields', async (t) => {
  const upstream = await recordingUpstream(t)
  const lk = await startConnectGateway(t, { upstream: upstream.url })
  const { body } = await createSession(lk, { connector: 'weather', connection: 'w1' })
  const res = await submitForm(lk, body.token, { subdomain: 'Not Valid!', api_key: '' })
  t.equal(res.status, 400)
  const html = await res.text()
  t.match(html, /id="f-subdomain" name="v:subdomain" required aria-required="true" aria-describedby="f-subdomain-help f-subdomain-error" aria-invalid="true"/)
  t.match(html, /<p class="error" id="f-subdomain-error">letters, digits and dashes<\/p>/)
  t.match(html, /<p class="error" id="f-api_key-error">API key is required<\/p>/)
  t.match(html, /value="Not Valid!"/, 'the typed text is kept, escaped')
  t.equal(upstream.received.length, 0, 'no test request for invalid values')
  t.equal(await lk.gateway.connections.stored('w1'), undefined)
})

t.test('a typed value is escaped when shown again', async (t) => {
  const upstream = await recordingUpstream(t)
  const lk = await startConnectGateway(t, { upstream: upstream.url })
  const { body } = await createSession(lk, { connector: 'weather', connection: 'w1' })
  const html = await (await submitForm(lk, body.token, { subdomain: '"><script>alert(1)</script>', api_key: 'k-1234567' })).text()
  t.notMatch(html, /<script>alert/)
  t.match(html, /value="&quot;&gt;&lt;script&gt;alert\(1\)&lt;\/script&gt;"/)
})
