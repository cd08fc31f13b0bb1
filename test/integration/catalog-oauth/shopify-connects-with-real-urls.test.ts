/**
 * The built-in `shopify` entry's oauth2 method, with its real URLs, against a Shopify-shaped
 * fake at acme-widgets.myshopify.com (test/helpers/provider-hosts.ts): the shop typed in the
 * form step picks the shop's own authorize and token endpoints; scopes comma-separated, no
 * PKCE; the code exchange carries the client id and secret in the body; the token goes bare in
 * X-Shopify-Access-Token to <shop>.myshopify.com/admin/api/2025-10.
 */
import t from 'tap'
import { catalogProvider, SHOP, SHOPIFY_HOST, tokenParams } from '../../helpers/provider-fakes.js'
import { CALLBACK_URL, clientCredentials, connectThroughProvider, proxied } from '../../helpers/provider-hosts.js'

t.test('shopify connects with its real URLs', async (t) => {
  const { h, fake } = await catalogProvider(t, 'shopify')
  const client = clientCredentials('shopify')
  const step = await connectThroughProvider(h, { connector: 'shopify', connection: 'shop-1', auth: 'oauth', values: { shop: SHOP } })

  t.equal(`${step.authorize.origin}${step.authorize.pathname}`, `https://${SHOPIFY_HOST}/admin/oauth/authorize`)
  const q = step.authorize.searchParams
  t.same([...q.keys()], ['response_type', 'client_id', 'redirect_uri', 'scope', 'state'], 'no code_challenge: Shopify has no PKCE')
  t.equal(q.get('client_id'), client.id)
  t.equal(q.get('redirect_uri'), CALLBACK_URL)
  t.equal(q.get('scope'), 'read_products,read_orders', 'scopes joined by a comma')
  t.equal(fake.authorizeRequests.length, 1)
  t.same([...step.callback.searchParams.keys()], ['code', 'state', 'hmac', 'host', 'shop', 'timestamp'], 'the redirect back as Shopify sends it')

  t.equal(step.result.status, 200, step.result.status === 200 ? 'connected' : step.resultText)
  t.same(fake.refused, [], 'the token endpoint accepted the request')
  t.equal(fake.tokenRequests.length, 1)
  const req = fake.tokenRequests[0]!
  t.equal(req.url.href, `https://${SHOPIFY_HOST}/admin/oauth/access_token`)
  t.equal(req.headers['content-type'], 'application/x-www-form-urlencoded')
  t.equal(req.headers.authorization, undefined, 'no Basic: the client credentials go in the body')
  t.same(tokenParams(req), [
    ['grant_type', 'authorization_code'], ['code', fake.codes[0]!], ['redirect_uri', CALLBACK_URL],
    ['client_id', client.id], ['client_secret', client.secret],
  ])

  const token = fake.tokenAnswers[0]!.access_token as string
  const stored = await h.stored('shop-1')
  t.match(stored, { connector: 'shopify', auth: 'oauth', status: 'connected' })
  t.same(stored?.config, { shop: SHOP }, 'the typed shop is kept; nothing else is copied')
  t.same(stored?.credentials, { access_token: token, scope: 'read_products,read_orders' })
  t.equal(fake.apiRequests[0]?.url.pathname, '/admin/api/2025-10/shop.json', 'the connector test ran against the shop')

  const res = await proxied(h, 'shop-1', '/products.json?limit=1')
  t.equal(res.status, 200)
  t.same(await res.json(), { products: [{ id: 632910392, title: 'IPod Nano - 8GB' }] })
  const call = fake.apiRequests.at(-1)!
  t.equal(call.url.href, `https://${SHOPIFY_HOST}/admin/api/2025-10/products.json?limit=1`)
  t.equal(call.headers['x-shopify-access-token'], token, 'the token bare, no prefix')
  t.equal(call.headers.authorization, undefined)
})
