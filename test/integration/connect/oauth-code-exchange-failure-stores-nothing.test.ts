/**
 * SPEC 8: a code exchange that fails (400 invalid_grant, a 200 with an error, no access_token,
 * an unreachable endpoint) is `token_exchange_failed`: nothing stored, the link still usable.
 */
import t from 'tap'
import { acmeConnector, oauthFlow, oauthProvider, oauthSession, oauthYaml, startOAuthGateway } from '../../helpers/oauth-provider.js'

t.test('a 400 from the token endpoint: error page, nothing stored', async (t) => {
  const provider = await oauthProvider(t)
  const lk = await startOAuthGateway(t, oauthYaml({ connectors: acmeConnector(provider) }))
  provider.tokenAnswer = () => ({ status: 400, body: { error: 'invalid_grant', error_description: 'code expired' } })
  const token = await oauthSession(lk, { connection: 'acme-x1' })
  const step = await oauthFlow(lk, token)
  t.equal(step.result!.status, 502)
  const html = await step.result!.text()
  t.match(html, /the code exchange failed/)
  t.notMatch(html, /code expired/, 'error_description is not shown')
  t.equal(provider.tokenRequests.length, 1)
  t.equal(await lk.gateway.connections.stored('acme-x1'), undefined)

  // The link was not used up: a second try from the page connects.
  provider.tokenAnswer = () => ({ body: { access_token: 'at-second-try-1a2b' } })
  const retry = await oauthFlow(lk, token)
  t.equal(retry.result!.status, 200)
  t.equal((await lk.gateway.connections.stored('acme-x1'))?.credentials.access_token, 'at-second-try-1a2b')
})

t.test('every kind of failed exchange redirects with token_exchange_failed', async (t) => {
  const provider = await oauthProvider(t)
  const lk = await startOAuthGateway(t, oauthYaml({ connectors: acmeConnector(provider) }))
  const answers = [
    { status: 400, body: { error: 'invalid_grant' } },
    { status: 200, body: { error: 'bad_verification_code' } },
    { status: 200, body: { token_type: 'bearer' } },
    { status: 200, body: 'not json', contentType: 'text/plain' },
  ]
  for (const [i, answer] of answers.entries()) {
    provider.tokenAnswer = () => answer
    const step = await oauthFlow(lk, await oauthSession(lk, { connection: `acme-x${i + 2}`, return_to: 'https://app.example.com/r' }))
    t.equal(step.result!.headers.get('location'), `https://app.example.com/r?connection=acme-x${i + 2}&status=error&error=token_exchange_failed`, JSON.stringify(answer.body))
    t.equal(await lk.gateway.connections.stored(`acme-x${i + 2}`), undefined)
  }
})
