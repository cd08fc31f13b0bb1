/**
 * SPEC 8: "When the session has a return_to, every end of the flow (success or error) is a
 * redirect there." A submit that can never succeed (the connection was claimed by another owner
 * after the link was made) uses the session up and sends the user back with
 * `status=error&error=forbidden`; nothing is stored.
 */
import t from 'tap'
import { recordingUpstream } from '../../helpers/upstream.js'
import { createSession, RETURN_ORIGIN, startConnectGateway, submitForm, userToken } from '../../helpers/connect.js'

t.test('a final error redirects to return_to with status=error', async (t) => {
  const upstream = await recordingUpstream(t)
  const lk = await startConnectGateway(t, { upstream: upstream.url })
  const alice = { authorization: `Bearer ${await userToken('alice')}` }
  const session = await createSession(lk, { connector: 'weather', connection: 'contested', return_to: `${RETURN_ORIGIN}/done?x=1` }, alice)
  t.equal(session.status, 201)

  // Meanwhile someone else's connection takes the id.
  await lk.gateway.connections.save('contested', { connector: 'weather', auth: 'key', owner: 'bob', config: { subdomain: 'bob' }, credentials: { api_key: 'bobs-key-77' }, access: { users: 'owner' } })

  const res = await submitForm(lk, session.body.token, { subdomain: 'acme', api_key: 'alices-key-88' })
  t.equal(res.status, 303)
  const location = new URL(res.headers.get('location') ?? '')
  t.equal(location.origin + location.pathname, `${RETURN_ORIGIN}/done`)
  t.same(Object.fromEntries(location.searchParams), { x: '1', connection: 'contested', status: 'error', error: 'forbidden' })
  t.equal((await lk.gateway.connections.stored('contested'))?.owner, 'bob', 'nothing of alice was stored')
  t.equal((await submitForm(lk, session.body.token, { subdomain: 'acme', api_key: 'alices-key-88' })).status, 410, 'the link is used up')
})
