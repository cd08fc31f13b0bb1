/** SPEC 8: a link is one-time. After a successful submit, the page and the form are 410. */
import t from 'tap'
import { recordingUpstream } from '../../helpers/upstream.js'
import { createSession, startConnectGateway, submitForm } from '../../helpers/connect.js'

t.test('a used link is 410 on GET and POST, and the second submit stores nothing', async (t) => {
  const upstream = await recordingUpstream(t)
  const lk = await startConnectGateway(t, { upstream: upstream.url })
  const { body } = await createSession(lk, { connector: 'weather', connection: 'w1' })
  t.equal((await submitForm(lk, body.token, { subdomain: 'first', api_key: 'key-first-1a2b' })).status, 200)

  const again = await submitForm(lk, body.token, { subdomain: 'second', api_key: 'key-second-3c4d' })
  t.equal(again.status, 410)
  t.match(again.headers.get('content-type'), /^text\/html/)
  t.match(await again.text(), /already been used/)
  const page = await lk.fetch(`/connect/${body.token}`)
  t.equal(page.status, 410)
  t.same((await lk.gateway.connections.stored('w1'))?.config, { subdomain: 'first' })
})

t.test('two racing submits store the connection once', async (t) => {
  const upstream = await recordingUpstream(t)
  const lk = await startConnectGateway(t, { upstream: upstream.url })
  const { body } = await createSession(lk, { connector: 'weather', connection: 'w2' })
  const results = await Promise.all([1, 2, 3].map((i) => submitForm(lk, body.token, { subdomain: `s${i}`, api_key: `key-${i}-abcdef` })))
  t.same(results.map((r) => r.status).sort(), [200, 410, 410])
})
