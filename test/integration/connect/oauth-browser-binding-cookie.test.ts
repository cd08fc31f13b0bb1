/**
 * Login CSRF (RFC 6749 10.12): the callback takes a state only from the browser that started
 * the flow, which holds `latchkey_oauth=<base64url sha256 of state>`. A missing or different
 * cookie is `invalid_state`: nothing stored, the state used up, return_to told.
 */
import t from 'tap'
import { submitForm } from '../../helpers/connect.js'
import { acmeConnector, oauthFlow, oauthProvider, oauthSession, oauthYaml, startOAuthGateway } from '../../helpers/oauth-provider.js'

t.test('a callback without the cookie stores nothing (page)', async (t) => {
  const provider = await oauthProvider(t)
  const lk = await startOAuthGateway(t, oauthYaml({ connectors: acmeConnector(provider) }))
  const step = await oauthFlow(lk, await oauthSession(lk, { connection: 'acme-c1' }), {}, { cookie: false })
  t.equal(step.result!.status, 400)
  t.match(await step.result!.text(), /started in another browser/)
  t.equal(provider.tokenRequests.length, 0, 'the code is never exchanged')
  t.equal(await lk.gateway.connections.stored('acme-c1'), undefined)
  t.match(step.result!.headers.get('set-cookie'), /^latchkey_oauth=; Path=\/connect\/oauth; HttpOnly; SameSite=Lax; Max-Age=0$/)
})

t.test('a different cookie (another flow\'s, or a tampered one) redirects with invalid_state', async (t) => {
  const provider = await oauthProvider(t)
  const lk = await startOAuthGateway(t, oauthYaml({ connectors: acmeConnector(provider) }))
  for (const [i, cookie] of ['latchkey_oauth=' + 'x'.repeat(43), 'latchkey_oauth=', 'other=1; latchkey_oauth_x=abc'].entries()) {
    const step = await oauthFlow(lk, await oauthSession(lk, { connection: `acme-c${i + 2}`, return_to: 'https://app.example.com/' }), {}, { cookie })
    t.equal(step.result!.status, 303)
    t.equal(step.result!.headers.get('location'), `https://app.example.com/?connection=acme-c${i + 2}&status=error&error=invalid_state`)
    t.equal(await lk.gateway.connections.stored(`acme-c${i + 2}`), undefined)
  }
  t.equal(provider.tokenRequests.length, 0)
})

t.test('the right cookie among others is found', async (t) => {
  const provider = await oauthProvider(t)
  const lk = await startOAuthGateway(t, oauthYaml({ connectors: acmeConnector(provider) }))
  const token = await oauthSession(lk, { connection: 'acme-c9' })
  const first = await oauthFlow(lk, token, {}, { cookie: false })
  t.equal(first.result!.status, 400)
  // The link itself is still usable: the user starts again, from the right browser.
  const submit = await submitForm(lk, token, {}, 'oauth')
  const pair = submit.headers.get('set-cookie')!.split(';')[0]!
  const back = await fetch(submit.headers.get('location')!, { redirect: 'manual' })
  const callback = new URL(back.headers.get('location')!)
  const res = await lk.fetch(`${callback.pathname}${callback.search}`, { redirect: 'manual', headers: { cookie: `a=1; ${pair}; b=2` } })
  t.equal(res.status, 200)
  t.ok(await lk.gateway.connections.stored('acme-c9'))
})
