/**
 * The built-in `slack` entry's two oauth2 methods, with their real URLs, against a Slack-shaped
 * fake at slack.com (https://docs.slack.dev/reference/methods/oauth.v2.access): `oauth` asks
 * for bot scopes and stores the top-level bot token; `oauth_user` asks for user_scope and
 * stores the user token under authed_user (token_path). Scopes comma-separated, no PKCE; the
 * token goes as Bearer to slack.com/api; the connector test requires "ok": true.
 */
import t from 'tap'
import { catalogProvider, tokenParams } from '../../helpers/provider-fakes.js'
import { CALLBACK_URL, clientCredentials, connectThroughProvider, proxied } from '../../helpers/provider-hosts.js'

t.test('slack connects with its real URLs: bot token and user token (authed_user)', async (t) => {
  const { h, fake } = await catalogProvider(t, 'slack')
  const client = clientCredentials('slack')

  t.test('oauth: the bot token', async (t) => {
    const step = await connectThroughProvider(h, { connector: 'slack', connection: 'slack-bot', auth: 'oauth' })
    t.equal(`${step.authorize.origin}${step.authorize.pathname}`, 'https://slack.com/oauth/v2/authorize')
    const q = step.authorize.searchParams
    t.same([...q.keys()], ['response_type', 'client_id', 'redirect_uri', 'scope', 'state'], 'no PKCE')
    t.equal(q.get('client_id'), client.id)
    t.equal(q.get('redirect_uri'), CALLBACK_URL)
    t.equal(q.get('scope'), 'chat:write,channels:read', 'scopes joined by a comma')

    t.equal(step.result.status, 200, step.result.status === 200 ? 'connected' : step.resultText)
    t.same(fake.refused, [])
    const req = fake.tokenRequests.at(-1)!
    t.equal(req.url.href, 'https://slack.com/api/oauth.v2.access')
    t.equal(req.headers['content-type'], 'application/x-www-form-urlencoded')
    t.equal(req.headers.authorization, undefined)
    t.same(tokenParams(req), [
      ['grant_type', 'authorization_code'], ['code', fake.codes.at(-1)!], ['redirect_uri', CALLBACK_URL],
      ['client_id', client.id], ['client_secret', client.secret],
    ])
    const answer = fake.tokenAnswers.at(-1)!
    const stored = await h.stored('slack-bot')
    t.match(stored, { connector: 'slack', auth: 'oauth', status: 'connected' })
    t.same(stored?.config, {})
    t.same(stored?.credentials, { access_token: answer.access_token, token_type: 'bot', scope: 'chat:write,channels:read' })
    t.match(String(stored?.credentials.access_token), /^xoxb-/)
    t.equal(fake.apiRequests.at(-1)?.url.pathname, '/api/auth.test', 'the connector test ran (and saw "ok": true)')

    const res = await proxied(h, 'slack-bot', '/conversations.list?limit=10')
    t.equal(res.status, 200)
    const call = fake.apiRequests.at(-1)!
    t.equal(call.url.href, 'https://slack.com/api/conversations.list?limit=10')
    t.equal(call.headers.authorization, `Bearer ${answer.access_token}`)
  })

  t.test('oauth_user: the user token under authed_user', async (t) => {
    const step = await connectThroughProvider(h, { connector: 'slack', connection: 'slack-user', auth: 'oauth_user' })
    const q = step.authorize.searchParams
    t.same([...q.keys()], ['response_type', 'client_id', 'redirect_uri', 'state', 'user_scope'], 'no bot scope, user_scope instead')
    t.equal(q.get('user_scope'), 'chat:write,channels:read')

    t.equal(step.result.status, 200, step.result.status === 200 ? 'connected' : step.resultText)
    t.same(fake.refused, [])
    t.same(tokenParams(fake.tokenRequests.at(-1)!).map(([k]) => k), ['grant_type', 'code', 'redirect_uri', 'client_id', 'client_secret'])
    const user = fake.tokenAnswers.at(-1)!.authed_user as { access_token: string }
    const stored = await h.stored('slack-user')
    t.match(stored, { auth: 'oauth_user', status: 'connected' })
    t.same(stored?.credentials, { access_token: user.access_token, token_type: 'user', scope: 'chat:write,channels:read' }, 'the token object at authed_user')
    t.match(user.access_token, /^xoxp-/)

    const res = await proxied(h, 'slack-user', '/conversations.list')
    t.equal(res.status, 200)
    t.equal(fake.apiRequests.at(-1)!.headers.authorization, `Bearer ${user.access_token}`)
  })
})
