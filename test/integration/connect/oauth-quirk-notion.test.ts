/**
 * Notion's token endpoint takes a JSON body with HTTP Basic client auth (no client id or secret
 * in the body), and its answer carries the workspace. Asserts the exact token request bytes and
 * headers, the stored layout, and a proxied request with the token.
 */
import t from 'tap'
import { APP_KEY } from '../../helpers/connect.js'
import { acmeConnector, CLIENT_SECRET, oauthFlow, oauthProvider, oauthSession, oauthYaml, startOAuthGateway } from '../../helpers/oauth-provider.js'

t.test('notion: JSON body, Basic client auth', async (t) => {
  const provider = await oauthProvider(t)
  const lk = await startOAuthGateway(t, oauthYaml({
    connectors: acmeConnector(provider, `pkce: false
client_auth: basic
token_format: json
authorize_params: { owner: user }
metadata: { workspace_id: workspace_id, workspace: workspace_name }`, 'headers: { Notion-Version: "2022-06-28" }'),
  }))
  provider.tokenAnswer = () => ({
    body: { access_token: 'ntn_secret_token_333', token_type: 'bearer', bot_id: 'b1', workspace_id: 'w-42', workspace_name: 'Acme HQ', owner: { type: 'user' } },
  })
  const step = await oauthFlow(lk, await oauthSession(lk, { connection: 'notion-1' }))
  t.equal(step.authorize!.searchParams.get('owner'), 'user')
  t.equal(step.result!.status, 200)

  const req = provider.tokenRequests[0]!
  t.equal(req.headers['content-type'], 'application/json')
  t.equal(req.headers.authorization, `Basic ${Buffer.from(`acme-client:${CLIENT_SECRET}`).toString('base64')}`)
  t.equal(req.body, JSON.stringify({ grant_type: 'authorization_code', code: provider.codes[0], redirect_uri: 'http://connect.test/connect/oauth/callback' }))

  const stored = await lk.gateway.connections.stored('notion-1')
  t.same(stored?.credentials, { access_token: 'ntn_secret_token_333', token_type: 'bearer' })
  t.same(stored?.config, { workspace_id: 'w-42', workspace: 'Acme HQ' })

  const proxied = await lk.fetch('/proxy/notion-1/v1/users/me', { headers: { 'x-latchkey-key': APP_KEY } })
  t.equal(proxied.status, 200)
  const call = provider.apiRequests.at(-1)!
  t.equal(call.headers.authorization, 'Bearer ntn_secret_token_333')
  t.equal(call.headers['notion-version'], '2022-06-28')
})
