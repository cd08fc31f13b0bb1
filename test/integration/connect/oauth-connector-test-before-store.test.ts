/**
 * SPEC 8: the connector test runs on the connection-to-be (with the new token) before anything
 * is stored; a refused test is `connection_test_failed`, nothing stored. A reconnect replaces
 * the credentials and turns refresh_failed into connected, keeping owner and access.
 */
import t from 'tap'
import { acmeConnector, oauthFlow, oauthProvider, oauthSession, oauthYaml, startOAuthGateway } from '../../helpers/oauth-provider.js'

t.test('a refused connector test stores nothing; a passing one stores', async (t) => {
  const provider = await oauthProvider(t)
  const lk = await startOAuthGateway(t, oauthYaml({ connectors: acmeConnector(provider, '', 'test: { path: /whoami }') }))
  let status = 401
  provider.api = () => ({ status, body: {} })
  const refused = await oauthFlow(lk, await oauthSession(lk, { connection: 'acme-t1', return_to: 'https://app.example.com/' }))
  t.equal(refused.result!.headers.get('location'), 'https://app.example.com/?connection=acme-t1&status=error&error=connection_test_failed')
  t.equal(await lk.gateway.connections.stored('acme-t1'), undefined)
  const call = provider.apiRequests.at(-1)!
  t.equal(call.url, '/api/whoami')
  t.match(call.headers.authorization, /^Bearer at-/, 'the test ran with the new token')

  status = 200
  const page = await oauthFlow(lk, await oauthSession(lk, { connection: 'acme-t2' }))
  t.equal(page.result!.status, 200)
  t.match(await page.result!.text(), /Acme is connected/)
  t.ok(await lk.gateway.connections.stored('acme-t2'))
})

t.test('a reconnect replaces the tokens and clears refresh_failed', async (t) => {
  const provider = await oauthProvider(t)
  const lk = await startOAuthGateway(t, oauthYaml({ connectors: acmeConnector(provider) }))
  await oauthFlow(lk, await oauthSession(lk, { connection: 'acme-t3', owner: 'user-1' }))
  const first = (await lk.gateway.connections.stored('acme-t3'))!
  await lk.gateway.connections.save('acme-t3', { connector: first.connector, auth: first.auth, owner: first.owner, config: first.config, credentials: first.credentials, access: { callers: ['app'], users: true } }, 'refresh_failed')
  const step = await oauthFlow(lk, await oauthSession(lk, { connection: 'acme-t3', owner: 'user-1' }))
  t.equal(step.result!.status, 200)
  const again = (await lk.gateway.connections.stored('acme-t3'))!
  t.equal(again.status, 'connected')
  t.not(again.credentials.access_token, first.credentials.access_token)
  t.same(again.access, { callers: ['app'], users: true }, 'the access it had is kept')
  t.equal(again.owner, 'user-1')
  t.equal(again.created_at, first.created_at)
})
