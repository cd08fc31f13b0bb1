/**
 * The built-in `jira` entry's oauth2 method, with its real URLs, against Atlassian-shaped fakes
 * (auth.atlassian.com, api.atlassian.com; https://developer.atlassian.com/cloud/jira/platform/oauth-2-3lo-apps/):
 * authorize with audience=api.atlassian.com and prompt=consent, no PKCE; the code exchange is a
 * JSON body with the client credentials in it; post_connect reads the cloud id from
 * accessible-resources; calls go to api.atlassian.com/ex/jira/<cloud id>/rest/api/3 as Bearer.
 */
import t from 'tap'
import { catalogProvider, JIRA_CLOUD_ID } from '../../helpers/provider-fakes.js'
import { CALLBACK_URL, clientCredentials, connectThroughProvider, proxied } from '../../helpers/provider-hosts.js'

t.test('jira connects with its real URLs', async (t) => {
  const { h, fake } = await catalogProvider(t, 'jira')
  const client = clientCredentials('jira')
  const step = await connectThroughProvider(h, { connector: 'jira', connection: 'jira-1', auth: 'oauth' })

  t.equal(`${step.authorize.origin}${step.authorize.pathname}`, 'https://auth.atlassian.com/authorize')
  const q = step.authorize.searchParams
  t.same([...q.keys()], ['response_type', 'client_id', 'redirect_uri', 'scope', 'state', 'audience', 'prompt'], 'no PKCE')
  t.equal(q.get('client_id'), client.id)
  t.equal(q.get('redirect_uri'), CALLBACK_URL)
  t.equal(q.get('scope'), 'read:jira-work write:jira-work read:jira-user offline_access')
  t.equal(q.get('audience'), 'api.atlassian.com')
  t.equal(q.get('prompt'), 'consent')

  t.equal(step.result.status, 200, step.result.status === 200 ? 'connected' : step.resultText)
  t.same(fake.refused, [])
  const req = fake.tokenRequests[0]!
  t.equal(req.url.href, 'https://auth.atlassian.com/oauth/token')
  t.equal(req.headers['content-type'], 'application/json')
  t.equal(req.headers.authorization, undefined)
  t.same(JSON.parse(req.body), { grant_type: 'authorization_code', code: fake.codes[0], redirect_uri: CALLBACK_URL, client_id: client.id, client_secret: client.secret })

  const answer = fake.tokenAnswers[0]!
  const lookup = fake.apiRequests[0]!
  t.equal(lookup.method, 'GET')
  t.equal(lookup.url.href, 'https://api.atlassian.com/oauth/token/accessible-resources', 'post_connect')
  t.equal(lookup.headers.authorization, `Bearer ${answer.access_token}`)
  t.equal(lookup.headers.accept, 'application/json')

  const stored = await h.stored('jira-1')
  t.match(stored, { connector: 'jira', auth: 'oauth', status: 'connected' })
  t.same(stored?.config, { cloud_id: JIRA_CLOUD_ID }, 'the first site\'s cloud id')
  t.match(stored?.credentials, { access_token: answer.access_token, refresh_token: answer.refresh_token })
  t.equal(fake.apiRequests[1]?.url.href, `https://api.atlassian.com/ex/jira/${JIRA_CLOUD_ID}/rest/api/3/myself`, 'the connector test ran through the cloud id')

  const res = await proxied(h, 'jira-1', '/issue/ACME-1')
  t.equal(res.status, 200)
  const call = fake.apiRequests.at(-1)!
  t.equal(call.url.href, `https://api.atlassian.com/ex/jira/${JIRA_CLOUD_ID}/rest/api/3/issue/ACME-1`)
  t.equal(call.headers.authorization, `Bearer ${answer.access_token}`)
})
