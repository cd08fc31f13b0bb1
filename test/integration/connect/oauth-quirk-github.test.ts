/**
 * GitHub's token endpoint answers form-encoded unless asked for JSON, and its classic tokens
 * have no expiry and no refresh token. Asserts the exact token request, the stored layout (no
 * expires_at, no refresh_token), and a proxied request with the token in a custom prefix.
 */
import t from 'tap'
import { APP_KEY } from '../../helpers/connect.js'
import { acmeConnector, CLIENT_SECRET, oauthFlow, oauthProvider, oauthSession, oauthYaml, startOAuthGateway } from '../../helpers/oauth-provider.js'

t.test('github: a form-encoded token answer', async (t) => {
  const provider = await oauthProvider(t)
  const lk = await startOAuthGateway(t, oauthYaml({
    connectors: acmeConnector(provider, `scopes: [repo, read:user]
pkce: false
prefix: "token "`),
  }))
  provider.tokenAnswer = () => ({ body: 'access_token=gho_16C7e42F292c6912E7710c838347Ae178B4a&scope=repo%2Cread%3Auser&token_type=bearer', contentType: 'application/x-www-form-urlencoded; charset=utf-8' })
  const step = await oauthFlow(lk, await oauthSession(lk, { connection: 'gh-1' }))
  t.equal(step.authorize!.searchParams.get('scope'), 'repo read:user')
  t.equal(step.result!.status, 200)

  const req = provider.tokenRequests[0]!
  t.equal(req.headers['content-type'], 'application/x-www-form-urlencoded')
  t.equal(req.headers.accept, 'application/json')
  t.equal(req.body, `grant_type=authorization_code&code=${provider.codes[0]}&redirect_uri=http%3A%2F%2Fconnect.test%2Fconnect%2Foauth%2Fcallback&client_id=acme-client&client_secret=${CLIENT_SECRET}`)

  const stored = await lk.gateway.connections.stored('gh-1')
  t.same(stored?.credentials, { access_token: 'gho_16C7e42F292c6912E7710c838347Ae178B4a', token_type: 'bearer', scope: 'repo,read:user' })

  const proxied = await lk.fetch('/proxy/gh-1/user', { headers: { 'x-latchkey-key': APP_KEY } })
  t.equal(proxied.status, 200)
  t.equal(provider.apiRequests.at(-1)?.headers.authorization, 'token gho_16C7e42F292c6912E7710c838347Ae178B4a')
})
