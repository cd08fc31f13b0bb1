/**
 * SPEC 8: the connector test runs before anything is stored. A refused test (the provider's
 * status) is a 400 page, an unreachable provider a 502 page; both show the form again, store
 * nothing and leave the link usable, so the user can correct the key.
 */
import t from 'tap'
import { recordingUpstream } from '../../helpers/upstream.js'
import { createSession, startConnectGateway, submitForm } from '../../helpers/connect.js'

t.test('a refused connector test stores nothing and the link still works', async (t) => {
  let answer = 401
  const upstream = await recordingUpstream(t, (_req, res) => { res.writeHead(answer).end() })
  const lk = await startConnectGateway(t, { upstream: upstream.url })
  const { body } = await createSession(lk, { connector: 'weather', connection: 'w1' })

  const refused = await submitForm(lk, body.token, { subdomain: 'acme', api_key: 'wrong-key-1a2b3c' })
  t.equal(refused.status, 400)
  const html = await refused.text()
  t.match(html, /answered HTTP 401/)
  t.match(html, /value="acme"/, 'the typed config is kept')
  t.notOk(html.includes('wrong-key-1a2b3c'), 'the typed key is not')
  t.equal(await lk.gateway.connections.stored('w1'), undefined, 'nothing stored')

  answer = 200
  const fixed = await submitForm(lk, body.token, { subdomain: 'acme', api_key: 'right-key-4d5e6f' })
  t.equal(fixed.status, 200)
  t.equal((await lk.gateway.connections.stored('w1'))?.credentials.api_key, 'right-key-4d5e6f')
})

t.test('an unreachable provider is a 502 page and stores nothing', async (t) => {
  const upstream = await recordingUpstream(t, (_req, res) => { res.destroy() })
  const lk = await startConnectGateway(t, { upstream: upstream.url })
  const { body } = await createSession(lk, { connector: 'weather', connection: 'w2' })
  const res = await submitForm(lk, body.token, { subdomain: 'acme', api_key: 'some-key-7a8b9c' })
  t.equal(res.status, 502)
  t.match(await res.text(), /could not be reached/)
  t.equal(await lk.gateway.connections.stored('w2'), undefined)
})
