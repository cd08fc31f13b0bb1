/**
 * The built-in `quickbooks` entry's oauth2 method, with its real URLs, against Intuit-shaped
 * fakes (appcenter.intuit.com, oauth.platform.intuit.com, quickbooks.api.intuit.com): no PKCE;
 * the company arrives as realmId on the redirect (redirect_metadata -> config.realm_id); the code
 * exchange is a form with HTTP Basic client auth; the API is called at
 * /v3/company/<realm> with the token as Bearer and Accept: application/json.
 */
import t from 'tap'
import { basicOf, catalogProvider, QUICKBOOKS_REALM, tokenParams } from '../../helpers/provider-fakes.js'
import { CALLBACK_URL, clientCredentials, connectThroughProvider, proxied } from '../../helpers/provider-hosts.js'

t.test('quickbooks connects with its real URLs', async (t) => {
  const { h, fake } = await catalogProvider(t, 'quickbooks')
  const step = await connectThroughProvider(h, { connector: 'quickbooks', connection: 'qb-1', auth: 'oauth' })

  t.equal(`${step.authorize.origin}${step.authorize.pathname}`, 'https://appcenter.intuit.com/connect/oauth2')
  const q = step.authorize.searchParams
  t.same([...q.keys()], ['response_type', 'client_id', 'redirect_uri', 'scope', 'state'], 'no PKCE')
  t.equal(q.get('client_id'), clientCredentials('quickbooks').id)
  t.equal(q.get('redirect_uri'), CALLBACK_URL)
  t.equal(q.get('scope'), 'com.intuit.quickbooks.accounting')
  t.equal(step.callback.searchParams.get('realmId'), QUICKBOOKS_REALM, 'the redirect back names the company')

  t.equal(step.result.status, 200, step.result.status === 200 ? 'connected' : step.resultText)
  t.same(fake.refused, [])
  const req = fake.tokenRequests[0]!
  t.equal(req.url.href, 'https://oauth.platform.intuit.com/oauth2/v1/tokens/bearer')
  t.equal(req.headers['content-type'], 'application/x-www-form-urlencoded')
  t.equal(req.headers.authorization, basicOf('quickbooks'))
  t.same(tokenParams(req), [['grant_type', 'authorization_code'], ['code', fake.codes[0]!], ['redirect_uri', CALLBACK_URL]], 'no client credentials in the body')

  const answer = fake.tokenAnswers[0]!
  const stored = await h.stored('qb-1')
  t.match(stored, { connector: 'quickbooks', auth: 'oauth', status: 'connected' })
  t.same(stored?.config, { realm_id: QUICKBOOKS_REALM }, 'realmId copied from the redirect')
  t.match(stored?.credentials, { access_token: answer.access_token, refresh_token: answer.refresh_token, token_type: 'bearer' })
  const expiresAt = Number(stored?.credentials.expires_at)
  t.ok(Math.abs(expiresAt - (Math.floor(Date.now() / 1000) + 3600)) < 60, 'expires_in 3600 stored as expires_at')
  t.equal(fake.apiRequests[0]?.url.href, `https://quickbooks.api.intuit.com/v3/company/${QUICKBOOKS_REALM}/companyinfo/${QUICKBOOKS_REALM}`, 'the connector test ran for the realm')

  const res = await proxied(h, 'qb-1', '/query?query=select%20*%20from%20Customer')
  t.equal(res.status, 200)
  t.same(await res.json(), { QueryResponse: { Customer: [{ Id: '1', DisplayName: 'Amy' }] } })
  const call = fake.apiRequests.at(-1)!
  t.equal(call.url.href, `https://quickbooks.api.intuit.com/v3/company/${QUICKBOOKS_REALM}/query?query=select%20*%20from%20Customer`)
  t.equal(call.headers.authorization, `Bearer ${answer.access_token}`)
  t.equal(call.headers.accept, 'application/json')
})
