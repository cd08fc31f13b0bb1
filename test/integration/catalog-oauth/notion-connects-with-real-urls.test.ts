/**
 * The built-in `notion` entry's oauth2 method, with its real URLs, against a Notion-shaped fake
 * at api.notion.com: authorize with owner=user and no scope, no PKCE; the code exchange is a
 * JSON body with the client id and secret as HTTP Basic (https://developers.notion.com/docs/authorization);
 * the token goes as Bearer to api.notion.com/v1 with the entry's Notion-Version header.
 */
import t from 'tap'
import { basicOf, catalogProvider, tokenParams } from '../../helpers/provider-fakes.js'
import { CALLBACK_URL, clientCredentials, connectThroughProvider, proxied } from '../../helpers/provider-hosts.js'

t.test('notion connects with its real URLs', async (t) => {
  const { h, fake } = await catalogProvider(t, 'notion')
  const step = await connectThroughProvider(h, { connector: 'notion', connection: 'notion-1', auth: 'oauth' })

  t.equal(`${step.authorize.origin}${step.authorize.pathname}`, 'https://api.notion.com/v1/oauth/authorize')
  const q = step.authorize.searchParams
  t.same([...q.keys()], ['response_type', 'client_id', 'redirect_uri', 'state', 'owner'], 'no scope (none in the entry), no PKCE')
  t.equal(q.get('response_type'), 'code')
  t.equal(q.get('client_id'), clientCredentials('notion').id)
  t.equal(q.get('redirect_uri'), CALLBACK_URL)
  t.equal(q.get('owner'), 'user')

  t.equal(step.result.status, 200, step.result.status === 200 ? 'connected' : step.resultText)
  t.same(fake.refused, [], 'the token endpoint accepted the request')
  const req = fake.tokenRequests[0]!
  t.equal(req.url.href, 'https://api.notion.com/v1/oauth/token')
  t.equal(req.headers['content-type'], 'application/json')
  t.equal(req.headers.authorization, basicOf('notion'), 'client id and secret as HTTP Basic')
  t.same(JSON.parse(req.body), { grant_type: 'authorization_code', code: fake.codes[0], redirect_uri: CALLBACK_URL }, 'a JSON body without the client credentials')
  t.same(tokenParams(req).map(([k]) => k), ['grant_type', 'code', 'redirect_uri'])

  const answer = fake.tokenAnswers[0]!
  const stored = await h.stored('notion-1')
  t.match(stored, { connector: 'notion', auth: 'oauth', status: 'connected' })
  t.same(stored?.config, {}, 'the entry copies no metadata')
  t.match(stored?.credentials, { access_token: answer.access_token, refresh_token: answer.refresh_token, token_type: 'bearer' })
  t.equal(fake.apiRequests[0]?.url.pathname, '/v1/users/me', 'the connector test ran')

  const res = await proxied(h, 'notion-1', '/search', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"query":"roadmap"}' })
  t.equal(res.status, 200)
  const call = fake.apiRequests.at(-1)!
  t.equal(call.url.href, 'https://api.notion.com/v1/search')
  t.equal(call.method, 'POST')
  t.equal(call.body, '{"query":"roadmap"}')
  t.equal(call.headers.authorization, `Bearer ${answer.access_token}`)
  t.equal(call.headers['notion-version'], '2022-06-28')
})
