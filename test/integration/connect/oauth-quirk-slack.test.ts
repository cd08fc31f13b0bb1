/**
 * Slack's OAuth v2: the user token sits under `authed_user` (token_path), scopes are comma
 * separated, user scopes go in `user_scope`, the team id comes from the token answer (metadata
 * path). Asserts the exact token request, the stored layout, and a proxied request with it.
 */
import t from 'tap'
import { APP_KEY } from '../../helpers/connect.js'
import { acmeConnector, CLIENT_SECRET, oauthFlow, oauthProvider, oauthSession, oauthYaml, startOAuthGateway } from '../../helpers/oauth-provider.js'

t.test('slack: token_path authed_user', async (t) => {
  const provider = await oauthProvider(t)
  const lk = await startOAuthGateway(t, oauthYaml({
    connectors: acmeConnector(provider, `scopes: [channels:read]
scope_separator: ","
authorize_params: { user_scope: "chat:write,users:read" }
token_path: authed_user
metadata: { team_id: team.id, slack_user: authed_user.id }`),
  }))
  provider.tokenAnswer = () => ({
    body: {
      ok: true, access_token: 'xoxb-bot-token-111', token_type: 'bot', scope: 'channels:read',
      team: { id: 'T0123', name: 'Acme' },
      authed_user: { id: 'U0456', scope: 'chat:write,users:read', access_token: 'xoxp-user-token-222', token_type: 'user' },
    },
  })
  const step = await oauthFlow(lk, await oauthSession(lk, { connection: 'slack-1' }))
  t.equal(step.authorize!.searchParams.get('scope'), 'channels:read')
  t.equal(step.authorize!.searchParams.get('user_scope'), 'chat:write,users:read')
  t.equal(step.result!.status, 200)

  const req = provider.tokenRequests[0]!
  t.equal(req.method, 'POST')
  t.equal(req.url, '/token')
  t.equal(req.headers['content-type'], 'application/x-www-form-urlencoded')
  t.equal(req.headers.accept, 'application/json')
  t.equal(req.headers.authorization, undefined)
  const verifier = new URLSearchParams(req.body).get('code_verifier')!
  t.equal(req.body, `grant_type=authorization_code&code=${provider.codes[0]}&redirect_uri=http%3A%2F%2Fconnect.test%2Fconnect%2Foauth%2Fcallback&client_id=acme-client&client_secret=${CLIENT_SECRET}&code_verifier=${verifier}`)

  const stored = await lk.gateway.connections.stored('slack-1')
  t.same(stored?.credentials, { access_token: 'xoxp-user-token-222', token_type: 'user', scope: 'chat:write,users:read' }, 'the user token, not the bot token')
  t.same(stored?.config, { team_id: 'T0123', slack_user: 'U0456' })
  t.equal(stored?.auth, 'oauth')
  t.equal(stored?.status, 'connected')
  t.same(stored?.access, { callers: ['app'], users: 'owner' })

  const proxied = await lk.fetch('/proxy/slack-1/conversations.list', { headers: { 'x-latchkey-key': APP_KEY } })
  t.equal(proxied.status, 200)
  t.equal(provider.apiRequests.at(-1)?.headers.authorization, 'Bearer xoxp-user-token-222')
})
