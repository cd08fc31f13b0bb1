/**
 * SPEC 8: a state is one-time. Replaying a callback (same code and state) after a failed first
 * use, or after success, is `invalid_state`: nothing more is stored, no second token request
 * is made, and with a return_to the browser goes there with status=error&error=invalid_state.
 */
import t from 'tap'
import { acmeConnector, callCallback, cookiePair, oauthFlow, oauthProvider, oauthSession, oauthYaml, startOAuthGateway } from '../../helpers/oauth-provider.js'

t.test('a replayed state after a failed first use stores nothing (page)', async (t) => {
  const provider = await oauthProvider(t)
  const lk = await startOAuthGateway(t, oauthYaml({ connectors: acmeConnector(provider) }))
  provider.tokenAnswer = () => ({ status: 500, body: { error: 'server_error' } })
  const step = await oauthFlow(lk, await oauthSession(lk, { connection: 'acme-r1' }))
  t.equal(step.result!.status, 502)
  provider.tokenAnswer = () => ({ body: { access_token: 'at-would-be-stored' } })
  const again = await callCallback(lk, step.callback!, cookiePair(step.setCookie))
  t.equal(again.status, 400)
  t.match(await again.text(), /could not be matched/)
  t.equal(provider.tokenRequests.length, 1, 'no second exchange')
  t.equal(await lk.gateway.connections.stored('acme-r1'), undefined)
})

t.test('a replayed state redirects to return_to with invalid_state', async (t) => {
  const provider = await oauthProvider(t)
  const lk = await startOAuthGateway(t, oauthYaml({ connectors: acmeConnector(provider) }))
  provider.tokenAnswer = () => ({ status: 400, body: { error: 'invalid_grant' } })
  const step = await oauthFlow(lk, await oauthSession(lk, { connection: 'acme-r2', return_to: 'https://app.example.com/cb?x=1' }))
  t.equal(step.result!.headers.get('location'), 'https://app.example.com/cb?x=1&connection=acme-r2&status=error&error=token_exchange_failed')
  const again = await callCallback(lk, step.callback!, cookiePair(step.setCookie))
  t.equal(again.status, 303)
  t.equal(again.headers.get('location'), 'https://app.example.com/cb?x=1&connection=acme-r2&status=error&error=invalid_state')
  t.equal(provider.tokenRequests.length, 1)
  t.equal(await lk.gateway.connections.stored('acme-r2'), undefined)
})

t.test('a replay after success changes nothing', async (t) => {
  const provider = await oauthProvider(t)
  const lk = await startOAuthGateway(t, oauthYaml({ connectors: acmeConnector(provider) }))
  const step = await oauthFlow(lk, await oauthSession(lk, { connection: 'acme-r3', return_to: 'https://app.example.com/cb' }))
  t.equal(step.result!.headers.get('location'), 'https://app.example.com/cb?connection=acme-r3&status=connected')
  const before = await lk.gateway.connections.stored('acme-r3')
  const again = await callCallback(lk, step.callback!, cookiePair(step.setCookie))
  t.equal(again.headers.get('location'), 'https://app.example.com/cb?connection=acme-r3&status=error&error=invalid_state')
  t.same(await lk.gateway.connections.stored('acme-r3'), before)
  t.equal(provider.tokenRequests.length, 1)
})
