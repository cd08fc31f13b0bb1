/**
 * SPEC 8: return_to must be at one of server.connect.return_to_origins, compared as an exact
 * origin; look-alikes are 400 invalid_request. A good one ends the flow in a 303 there with
 * ?connection=<id>&status=connected appended to its own query.
 */
import t from 'tap'
import { recordingUpstream } from '../../helpers/upstream.js'
import { createSession, startConnectGateway, submitForm } from '../../helpers/connect.js'

t.test('return_to look-alikes are refused', async (t) => {
  const upstream = await recordingUpstream(t)
  const lk = await startConnectGateway(t, { upstream: upstream.url, returnToOrigins: ['https://app.example.com'] })
  for (const trick of [
    'https://app.example.com.evil.test/done',
    'https://user@app.example.com/done',
    'https://app.example.com@evil.test/done',
    'http://app.example.com/done',
    'https://app.example.com:8443/done',
    'https://evil.test/https://app.example.com',
    '//app.example.com/done',
    'javascript:alert(1)//app.example.com',
  ]) {
    const res = await createSession(lk, { connector: 'weather', return_to: trick })
    t.equal(res.status, 400, trick)
    t.equal(res.body.error?.code, 'invalid_request', trick)
  }
})

t.test('a good return_to gets the result appended to its query', async (t) => {
  const upstream = await recordingUpstream(t)
  const lk = await startConnectGateway(t, { upstream: upstream.url, returnToOrigins: ['https://app.example.com'] })
  const { status, body } = await createSession(lk, { connector: 'weather', connection: 'w1', return_to: 'https://app.example.com/settings?tab=apps#top' })
  t.equal(status, 201)
  const page = await lk.fetch(`/connect/${body.token}`)
  t.match(page.headers.get('content-security-policy'), /form-action 'self' https:\/\/app\.example\.com;/)
  const res = await submitForm(lk, body.token, { subdomain: 'acme', api_key: 'key-redirect-5f6e' })
  t.equal(res.status, 303)
  t.equal(res.headers.get('location'), 'https://app.example.com/settings?tab=apps&connection=w1&status=connected')
})
