/**
 * SPEC 8: a session naming an existing stored connection reconnects it, for its own owner only:
 * the new credentials replace the old ones and a refresh_failed connection is connected again.
 * Another owner is 403 forbidden from POST /connect/sessions.
 */
import t from 'tap'
import { recordingUpstream } from '../../helpers/upstream.js'
import { createSession, startConnectGateway, submitForm, userToken } from '../../helpers/connect.js'

t.test('the owner reconnects; the credentials are replaced and the status is connected', async (t) => {
  const upstream = await recordingUpstream(t)
  const lk = await startConnectGateway(t, { upstream: upstream.url })
  const alice = { authorization: `Bearer ${await userToken('alice')}` }

  const first = await createSession(lk, { connector: 'weather', connection: 'alice-weather' }, alice)
  t.equal(first.status, 201)
  t.equal((await submitForm(lk, first.body.token, { subdomain: 'acme', api_key: 'old-key-1a2b3c' })).status, 200)
  const before = await lk.gateway.connections.stored('alice-weather')
  t.equal(before?.owner, 'alice')
  t.same(before?.access, { callers: [], users: 'owner' })
  // As if a refresh had failed: the reconnect must make it connected again.
  const { v: _v, id: _id, status: _s, created_at: _c, updated_at: _u, ...draft } = before!
  await lk.gateway.connections.save('alice-weather', draft, 'refresh_failed')

  const again = await createSession(lk, { connector: 'weather', connection: 'alice-weather' }, alice)
  t.equal(again.status, 201)
  const page = await lk.fetch(`/connect/${again.body.token}`)
  t.match(await page.text(), /Reconnect Weather API/)
  t.equal((await submitForm(lk, again.body.token, { subdomain: 'acme', api_key: 'new-key-4d5e6f' })).status, 200)
  const after = await lk.gateway.connections.stored('alice-weather')
  t.equal(after?.credentials.api_key, 'new-key-4d5e6f')
  t.equal(after?.status, 'connected')
  t.equal(after?.created_at, before?.created_at, 'the same connection, replaced')
})

t.test('another owner may not reconnect it', async (t) => {
  const upstream = await recordingUpstream(t)
  const lk = await startConnectGateway(t, { upstream: upstream.url })
  const alice = { authorization: `Bearer ${await userToken('alice')}` }
  const first = await createSession(lk, { connector: 'weather', connection: 'alice-weather' }, alice)
  t.equal((await submitForm(lk, first.body.token, { subdomain: 'acme', api_key: 'alice-key-7a8b' })).status, 200)

  const mallory = await createSession(lk, { connector: 'weather', connection: 'alice-weather' }, { authorization: `Bearer ${await userToken('mallory')}` })
  t.equal(mallory.status, 403)
  t.equal(mallory.body.error?.code, 'forbidden')
  const byKey = await createSession(lk, { connector: 'weather', connection: 'alice-weather' })
  t.equal(byKey.status, 403, 'an api key session (owner null) is another owner too')
  const asAlice = await createSession(lk, { connector: 'weather', connection: 'alice-weather', owner: 'alice' })
  t.equal(asAlice.status, 201, 'an api key may create a session for the owner')
  t.equal((await lk.gateway.connections.stored('alice-weather'))?.credentials.api_key, 'alice-key-7a8b')
})
