/**
 * SPEC 8: a callback whose state latchkey never handed out (or a malformed one) is refused with
 * an error page (400): no session is known for it, so there is no return_to to go to, no token
 * request is made and nothing is stored.
 */
import t from 'tap'
import { submitForm } from '../../helpers/connect.js'
import { acmeConnector, callCallback, cookiePair, oauthFlow, oauthProvider, oauthSession, oauthYaml, startOAuthGateway } from '../../helpers/oauth-provider.js'

t.test('a forged state stores nothing and asks the provider nothing', async (t) => {
  const provider = await oauthProvider(t)
  const lk = await startOAuthGateway(t, oauthYaml({ connectors: acmeConnector(provider) }))
  const token = await oauthSession(lk, { connection: 'acme-f', return_to: 'https://app.example.com/done' })

  // A real flow up to the provider's redirect back, then a forged state in its place.
  const submit = await submitForm(lk, token, {}, 'oauth')
  t.equal(submit.status, 302)
  const forged = new URL('http://connect.test/connect/oauth/callback')
  forged.searchParams.set('code', 'code-from-the-attacker')
  forged.searchParams.set('state', 'A'.repeat(43))
  const res = await callCallback(lk, forged, cookiePair(submit.headers.get('set-cookie')))
  t.equal(res.status, 400)
  t.equal(res.headers.get('location'), null, 'no session is known: no redirect')
  t.match(await res.text(), /could not be matched to a connect link/)
  t.equal(provider.tokenRequests.length, 0)
  t.equal(await lk.gateway.connections.stored('acme-f'), undefined)

  for (const state of ['', 'short', `${'B'.repeat(43)}!`]) {
    const url = new URL(forged)
    url.searchParams.set('state', state)
    t.equal((await callCallback(lk, url, undefined)).status, 400, `malformed state ${JSON.stringify(state)}`)
  }
  const none = await lk.fetch('/connect/oauth/callback?code=x')
  t.equal(none.status, 400)
  t.equal(none.headers.get('content-type'), 'text/html; charset=utf-8')

  // The real state still works afterwards: the link was not used up.
  const step = await oauthFlow(lk, token)
  t.equal(step.result!.status, 303)
  t.equal(step.result!.headers.get('location'), 'https://app.example.com/done?connection=acme-f&status=connected')
})
