/**
 * The built-in `xero` entry's oauth2 method, with its real URLs, against Xero-shaped fakes
 * (login.xero.com, identity.xero.com, api.xero.com; https://developer.xero.com/documentation/guides/oauth2/auth-flow):
 * granular scopes space-separated with offline_access, PKCE (S256); the code exchange is a form
 * with HTTP Basic client auth and the verifier; post_connect reads the tenant id from
 * /connections; Accounting calls carry Bearer and xero-tenant-id.
 */
import { createHash } from 'node:crypto'
import t from 'tap'
import { basicOf, catalogProvider, tokenParams, XERO_TENANT_ID } from '../../helpers/provider-fakes.js'
import { CALLBACK_URL, clientCredentials, connectThroughProvider, proxied } from '../../helpers/provider-hosts.js'

t.test('xero connects with its real URLs', async (t) => {
  const { h, fake } = await catalogProvider(t, 'xero')
  const step = await connectThroughProvider(h, { connector: 'xero', connection: 'xero-1', auth: 'oauth' })

  t.equal(`${step.authorize.origin}${step.authorize.pathname}`, 'https://login.xero.com/identity/connect/authorize')
  const q = step.authorize.searchParams
  t.same([...q.keys()], ['response_type', 'client_id', 'redirect_uri', 'scope', 'state', 'code_challenge', 'code_challenge_method'])
  t.equal(q.get('client_id'), clientCredentials('xero').id)
  t.equal(q.get('redirect_uri'), CALLBACK_URL)
  t.equal(q.get('scope'), 'offline_access accounting.settings accounting.contacts accounting.invoices accounting.payments accounting.banktransactions accounting.manualjournals')
  t.equal(q.get('code_challenge_method'), 'S256')

  t.equal(step.result.status, 200, step.result.status === 200 ? 'connected' : step.resultText)
  t.same(fake.refused, [])
  const req = fake.tokenRequests[0]!
  t.equal(req.url.href, 'https://identity.xero.com/connect/token')
  t.equal(req.headers['content-type'], 'application/x-www-form-urlencoded')
  t.equal(req.headers.authorization, basicOf('xero'))
  const params = tokenParams(req)
  const verifier = new Map(params).get('code_verifier')!
  t.same(params, [['grant_type', 'authorization_code'], ['code', fake.codes[0]!], ['redirect_uri', CALLBACK_URL], ['code_verifier', verifier]])
  t.equal(createHash('sha256').update(verifier).digest('base64url'), q.get('code_challenge'))

  const answer = fake.tokenAnswers[0]!
  const lookup = fake.apiRequests[0]!
  t.equal(lookup.method, 'GET')
  t.equal(lookup.url.href, 'https://api.xero.com/connections', 'post_connect')
  t.equal(lookup.headers.authorization, `Bearer ${answer.access_token}`)
  t.equal(lookup.headers.accept, 'application/json')

  const stored = await h.stored('xero-1')
  t.match(stored, { connector: 'xero', auth: 'oauth', status: 'connected' })
  t.same(stored?.config, { tenant_id: XERO_TENANT_ID }, 'the first organisation\'s tenant id')
  t.match(stored?.credentials, { access_token: answer.access_token, refresh_token: answer.refresh_token, token_type: 'Bearer' })
  t.equal(fake.apiRequests[1]?.url.href, 'https://api.xero.com/api.xro/2.0/Organisation', 'the connector test ran')
  t.equal(fake.apiRequests[1]?.headers['xero-tenant-id'], XERO_TENANT_ID)

  const res = await proxied(h, 'xero-1', '/Invoices?page=1')
  t.equal(res.status, 200)
  const call = fake.apiRequests.at(-1)!
  t.equal(call.url.href, 'https://api.xero.com/api.xro/2.0/Invoices?page=1')
  t.equal(call.headers.authorization, `Bearer ${answer.access_token}`)
  t.equal(call.headers['xero-tenant-id'], XERO_TENANT_ID)
  t.equal(call.headers.accept, 'application/json')
})
