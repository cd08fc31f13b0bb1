/**
 * The OAuth connect flow never shows a secret: the client secret, the authorization code, the
 * PKCE verifier and the access and refresh tokens appear in no log line (debug level), no page
 * body, no Location and no Set-Cookie of latchkey's, on success and on every failure path.
 */
import t from 'tap'
import { submitForm } from '../helpers/connect.js'
import { assertNoSecrets } from '../helpers/gateway.js'
import { acmeConnector, callCallback, CLIENT_SECRET, cookiePair, oauthFlow, oauthProvider, oauthSession, oauthYaml, startOAuthGateway, type FlowStep } from '../helpers/oauth-provider.js'

t.test('no secret of the flow in logs, pages, Location or Set-Cookie', async (t) => {
  const provider = await oauthProvider(t)
  const lk = await startOAuthGateway(t, oauthYaml({
    logLevel: 'debug',
    connectors: acmeConnector(provider, `post_connect:
  url: ${provider.url}/api/me
  metadata: { account: id }`, 'test: { path: /whoami }'),
  }))
  const seen: string[] = []
  const record = async (res: Response | undefined) => {
    if (res === undefined) return
    seen.push(await res.text(), res.headers.get('location') ?? '', res.headers.get('set-cookie') ?? '')
  }
  const run = async (step: FlowStep) => {
    await record(step.submit)
    await record(step.result)
    return step
  }
  let apiStatus = 200
  provider.api = (req) => req.url === '/api/me' ? { body: { id: 'acct-1' } } : { status: apiStatus, body: {} }

  // success, with and without return_to
  await run(await oauthFlow(lk, await oauthSession(lk, { connection: 's-1' })))
  const ok = await run(await oauthFlow(lk, await oauthSession(lk, { connection: 's-2', return_to: 'https://app.example.com/' })))
  t.ok(await lk.gateway.connections.stored('s-1'))
  // replay of a used state
  await record(await callCallback(lk, ok.callback!, cookiePair(ok.setCookie)))
  // the code exchange fails (and the endpoint echoes what it got in its description)
  provider.tokenAnswer = (req) => ({ status: 400, body: { error: 'invalid_grant', error_description: `bad: ${req.body}` } })
  await run(await oauthFlow(lk, await oauthSession(lk, { connection: 's-3' })))
  await run(await oauthFlow(lk, await oauthSession(lk, { connection: 's-4', return_to: 'https://app.example.com/' })))
  // the token answer is fine but post_connect fails, then the connector test fails
  provider.tokenAnswer = () => {
    const access = `at-${provider.issued.length}-${Math.random().toString(36).slice(2)}`
    const refresh = `rt-${provider.issued.length}-${Math.random().toString(36).slice(2)}`
    provider.issued.push(access, refresh)
    return { body: { access_token: access, refresh_token: refresh, expires_in: 3600 } }
  }
  provider.api = (req) => req.url === '/api/me' ? { status: 500, body: { echoed: req.headers.authorization } } : { status: apiStatus, body: {} }
  await run(await oauthFlow(lk, await oauthSession(lk, { connection: 's-5' })))
  provider.api = (req) => req.url === '/api/me' ? { body: { id: 'acct-2' } } : { status: apiStatus, body: {} }
  apiStatus = 401
  await run(await oauthFlow(lk, await oauthSession(lk, { connection: 's-6', return_to: 'https://app.example.com/' })))
  // no cookie, provider error
  await run(await oauthFlow(lk, await oauthSession(lk, { connection: 's-7' }), {}, { cookie: false }))
  provider.deny = 'access_denied'
  await run(await oauthFlow(lk, await oauthSession(lk, { connection: 's-8' })))
  // the page itself
  const page = await lk.fetch(`/connect/${await oauthSession(lk, { connection: 's-9' })}`)
  await record(page)
  await record(await submitForm(lk, await oauthSession(lk, { connection: 's-10' }), {}, 'oauth'))

  for (const id of ['s-3', 's-4', 's-5', 's-6', 's-7', 's-8']) t.equal(await lk.gateway.connections.stored(id), undefined, `${id} not stored`)
  for (const what of ['code exchange failed', 'post_connect failed', 'connector test failed', 'browser-binding cookie', 'the provider refused']) {
    t.ok(lk.logs.some((l) => l.includes(what)), `the path "${what}" ran`)
  }
  const verifiers = provider.tokenRequests.map((r) => new URLSearchParams(r.body).get('code_verifier')).filter((v): v is string => v !== null)
  t.ok(verifiers.length >= 5, 'verifiers were sent')
  t.ok(provider.codes.length >= 6, 'codes were issued')
  t.ok(lk.logs.length > 10, 'log lines were captured')
  assertNoSecrets(t, [...lk.logs, ...seen], [CLIENT_SECRET, ...provider.codes, ...verifiers, ...provider.issued])
})
