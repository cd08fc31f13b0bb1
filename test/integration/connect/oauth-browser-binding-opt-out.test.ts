/**
 * `server.connect.browser_binding: false`: for deployments whose own front end forwards the
 * provider's callback (so the browser's cookie never reaches latchkey). No cookie is set and
 * none is asked for; the state is still one-time.
 */
import t from 'tap'
import { acmeConnector, callCallback, oauthFlow, oauthProvider, oauthSession, oauthYaml, startOAuthGateway } from '../../helpers/oauth-provider.js'

t.test('with browser_binding: false a callback without cookie connects', async (t) => {
  const provider = await oauthProvider(t)
  const lk = await startOAuthGateway(t, oauthYaml({ connectors: acmeConnector(provider), browserBinding: false }))
  const step = await oauthFlow(lk, await oauthSession(lk, { connection: 'acme-o' }), {}, { cookie: false })
  t.equal(step.setCookie, null, 'no cookie set')
  t.equal(step.result!.status, 200)
  t.equal(step.result!.headers.get('set-cookie'), null)
  const stored = await lk.gateway.connections.stored('acme-o')
  t.equal(stored?.credentials.access_token, provider.issued.find((v) => v.startsWith('at-')))

  const again = await callCallback(lk, step.callback!, undefined)
  t.equal(again.status, 400, 'still one-time')
})

t.test('by default (binding on) the same callback without cookie is refused', async (t) => {
  const provider = await oauthProvider(t)
  const lk = await startOAuthGateway(t, oauthYaml({ connectors: acmeConnector(provider) }))
  const step = await oauthFlow(lk, await oauthSession(lk, { connection: 'acme-o2' }), {}, { cookie: false })
  t.equal(step.result!.status, 400)
  t.equal(await lk.gateway.connections.stored('acme-o2'), undefined)
})
