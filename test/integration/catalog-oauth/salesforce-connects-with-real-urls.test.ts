/**
 * The built-in `salesforce` entry's oauth2 method, with its real URLs, against Salesforce-shaped
 * fakes: the login host typed in the form step (test.salesforce.com, a sandbox) picks the
 * authorize and token endpoints; scopes space-separated with PKCE (S256); the token answer's
 * instance_url is copied into config (metadata) and the REST API is called there, at
 * /services/data/v62.0, with the token as Bearer.
 */
import { createHash } from 'node:crypto'
import t from 'tap'
import { catalogProvider, SALESFORCE_INSTANCE, SALESFORCE_LOGIN_HOST, tokenParams } from '../../helpers/provider-fakes.js'
import { CALLBACK_URL, clientCredentials, connectThroughProvider, proxied } from '../../helpers/provider-hosts.js'

t.test('salesforce connects with its real URLs', async (t) => {
  const { h, fake } = await catalogProvider(t, 'salesforce')
  const client = clientCredentials('salesforce')
  const step = await connectThroughProvider(h, { connector: 'salesforce', connection: 'sf-1', auth: 'oauth', values: { login_host: SALESFORCE_LOGIN_HOST } })

  t.equal(`${step.authorize.origin}${step.authorize.pathname}`, `https://${SALESFORCE_LOGIN_HOST}/services/oauth2/authorize`)
  const q = step.authorize.searchParams
  t.same([...q.keys()], ['response_type', 'client_id', 'redirect_uri', 'scope', 'state', 'code_challenge', 'code_challenge_method'])
  t.equal(q.get('client_id'), client.id)
  t.equal(q.get('redirect_uri'), CALLBACK_URL)
  t.equal(q.get('scope'), 'api refresh_token', 'scopes joined by a space')
  t.equal(q.get('code_challenge_method'), 'S256')

  t.equal(step.result.status, 200, step.result.status === 200 ? 'connected' : step.resultText)
  t.same(fake.refused, [])
  const req = fake.tokenRequests[0]!
  t.equal(req.url.href, `https://${SALESFORCE_LOGIN_HOST}/services/oauth2/token`)
  t.equal(req.headers['content-type'], 'application/x-www-form-urlencoded')
  t.equal(req.headers.authorization, undefined)
  const params = tokenParams(req)
  const verifier = new Map(params).get('code_verifier')!
  t.same(params, [
    ['grant_type', 'authorization_code'], ['code', fake.codes[0]!], ['redirect_uri', CALLBACK_URL],
    ['client_id', client.id], ['client_secret', client.secret], ['code_verifier', verifier],
  ])
  t.equal(createHash('sha256').update(verifier).digest('base64url'), q.get('code_challenge'), 'the verifier of the challenge')

  const answer = fake.tokenAnswers[0]!
  const stored = await h.stored('sf-1')
  t.match(stored, { connector: 'salesforce', auth: 'oauth', status: 'connected' })
  t.same(stored?.config, { login_host: SALESFORCE_LOGIN_HOST, instance_url: `https://${SALESFORCE_INSTANCE}` }, 'instance_url copied from the token answer')
  t.match(stored?.credentials, { access_token: answer.access_token, refresh_token: answer.refresh_token, token_type: 'Bearer', scope: 'refresh_token api' })
  t.equal(fake.apiRequests[0]?.url.href, `https://${SALESFORCE_INSTANCE}/services/data/v62.0/limits`, 'the connector test ran at the instance')

  const res = await proxied(h, 'sf-1', '/query?q=SELECT+Name+FROM+Account')
  t.equal(res.status, 200)
  const call = fake.apiRequests.at(-1)!
  t.equal(call.url.href, `https://${SALESFORCE_INSTANCE}/services/data/v62.0/query?q=SELECT+Name+FROM+Account`)
  t.equal(call.headers.authorization, `Bearer ${answer.access_token}`)
})
