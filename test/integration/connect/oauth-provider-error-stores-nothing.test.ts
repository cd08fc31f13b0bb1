/**
 * SPEC 8: `error=...` from the provider (the user said no) ends the flow with that code when it
 * is a registered OAuth error, else `authorization_failed`; no token request, nothing stored.
 */
import t from 'tap'
import { acmeConnector, oauthFlow, oauthProvider, oauthSession, oauthYaml, startOAuthGateway } from '../../helpers/oauth-provider.js'

t.test('access_denied: an error page, nothing stored', async (t) => {
  const provider = await oauthProvider(t)
  const lk = await startOAuthGateway(t, oauthYaml({ connectors: acmeConnector(provider) }))
  provider.deny = 'access_denied'
  const step = await oauthFlow(lk, await oauthSession(lk, { connection: 'acme-d1' }))
  t.equal(step.result!.status, 400)
  t.match(await step.result!.text(), /Access to Acme was not granted/)
  t.equal(provider.tokenRequests.length, 0)
  t.equal(await lk.gateway.connections.stored('acme-d1'), undefined)
})

t.test('access_denied with return_to, and an unregistered error code', async (t) => {
  const provider = await oauthProvider(t)
  const lk = await startOAuthGateway(t, oauthYaml({ connectors: acmeConnector(provider) }))
  provider.deny = 'access_denied'
  const denied = await oauthFlow(lk, await oauthSession(lk, { connection: 'acme-d2', return_to: 'https://app.example.com/back' }))
  t.equal(denied.result!.status, 303)
  t.equal(denied.result!.headers.get('location'), 'https://app.example.com/back?connection=acme-d2&status=error&error=access_denied')

  provider.deny = '<script>made-up code with a token at-123</script>'
  const odd = await oauthFlow(lk, await oauthSession(lk, { connection: 'acme-d3', return_to: 'https://app.example.com/back' }))
  t.equal(odd.result!.headers.get('location'), 'https://app.example.com/back?connection=acme-d3&status=error&error=authorization_failed', 'only registered codes are repeated')
  t.equal(provider.tokenRequests.length, 0)
  t.equal(await lk.gateway.connections.stored('acme-d2'), undefined)
  t.equal(await lk.gateway.connections.stored('acme-d3'), undefined)
})
