/**
 * The built-in `hubspot` entry's oauth2 method, with its real URLs, against HubSpot-shaped fakes
 * (app.hubspot.com, api.hubapi.com): scopes space-separated, no PKCE; the code exchange goes to
 * the date-versioned /oauth/2026-03/token as a form with the client credentials in the body
 * (https://developers.hubspot.com/docs/api-reference/latest/authentication/manage-oauth-tokens);
 * CRM calls go to api.hubapi.com as Bearer.
 */
import t from 'tap'
import { catalogProvider, tokenParams } from '../../helpers/provider-fakes.js'
import { CALLBACK_URL, clientCredentials, connectThroughProvider, proxied } from '../../helpers/provider-hosts.js'

t.test('hubspot connects with its real URLs', async (t) => {
  const { h, fake } = await catalogProvider(t, 'hubspot')
  const client = clientCredentials('hubspot')
  const step = await connectThroughProvider(h, { connector: 'hubspot', connection: 'hubspot-1', auth: 'oauth' })

  t.equal(`${step.authorize.origin}${step.authorize.pathname}`, 'https://app.hubspot.com/oauth/authorize')
  const q = step.authorize.searchParams
  t.same([...q.keys()], ['response_type', 'client_id', 'redirect_uri', 'scope', 'state'], 'no PKCE')
  t.equal(q.get('client_id'), client.id)
  t.equal(q.get('redirect_uri'), CALLBACK_URL)
  t.equal(q.get('scope'), 'oauth crm.objects.contacts.read crm.objects.contacts.write')

  t.equal(step.result.status, 200, step.result.status === 200 ? 'connected' : step.resultText)
  t.same(fake.refused, [])
  const req = fake.tokenRequests[0]!
  t.equal(req.url.href, 'https://api.hubapi.com/oauth/2026-03/token')
  t.equal(req.headers['content-type'], 'application/x-www-form-urlencoded')
  t.equal(req.headers.authorization, undefined)
  t.same(tokenParams(req), [
    ['grant_type', 'authorization_code'], ['code', fake.codes[0]!], ['redirect_uri', CALLBACK_URL],
    ['client_id', client.id], ['client_secret', client.secret],
  ])

  const answer = fake.tokenAnswers[0]!
  const stored = await h.stored('hubspot-1')
  t.match(stored, { connector: 'hubspot', auth: 'oauth', status: 'connected' })
  t.same(stored?.config, {})
  t.match(stored?.credentials, { access_token: answer.access_token, refresh_token: answer.refresh_token, token_type: 'bearer' })
  t.equal(fake.apiRequests[0]?.url.href, 'https://api.hubapi.com/crm/v3/objects/contacts?limit=1', 'the connector test ran')

  const res = await proxied(h, 'hubspot-1', '/crm/v3/objects/contacts?limit=5&properties=email')
  t.equal(res.status, 200)
  const call = fake.apiRequests.at(-1)!
  t.equal(call.url.href, 'https://api.hubapi.com/crm/v3/objects/contacts?limit=5&properties=email')
  t.equal(call.headers.authorization, `Bearer ${answer.access_token}`)
})
