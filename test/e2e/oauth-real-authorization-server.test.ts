/**
 * SPEC 8 and 7.1 end to end against a real authorization server: oidc-provider with PKCE
 * required, refresh-token rotation with reuse detection and 10 s access tokens. Headless
 * Chromium opens a connect link, signs in and consents on the provider's own pages, comes back
 * through /connect/oauth/callback to return_to; the connection then proxies with the token
 * (the upstream checks it at the provider's userinfo endpoint), and keeps proxying across a
 * refresh with a rotated refresh token and no refresh error at the provider.
 */
import t from 'tap'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { assertNoSecrets, startGateway } from '../helpers/gateway.js'
import { launchBrowser, returnPageServer } from '../helpers/browser.js'
import { IDP_CLIENT_ID, IDP_CLIENT_SECRET, startIdp } from '../helpers/oidc-provider.js'
import { freePort } from '../helpers/redis.js'

const APP_KEY = 'app-key-oidc-e2e-4f5a'

t.test('connect through a real authorization server, proxy, refresh', async (t) => {
  const port = await freePort()
  const publicUrl = `http://127.0.0.1:${port}`
  const idp = await startIdp(t, { redirectUri: `${publicUrl}/connect/oauth/callback`, accessTokenTtlS: 10 })

  // A resource server that accepts only tokens the provider says are live.
  const seen: string[] = []
  const api = createServer((req, res) => {
    const auth = req.headers.authorization ?? ''
    seen.push(auth)
    fetch(`${idp.issuer}/me`, { headers: { authorization: auth } }).then(async (me) => {
      res.writeHead(me.status === 200 ? 200 : 401, { 'content-type': 'application/json' }).end(await me.text())
    }, () => res.writeHead(502).end())
  })
  await new Promise<void>((resolve) => api.listen(0, '127.0.0.1', resolve))
  t.teardown(() => new Promise<void>((resolve) => { api.closeAllConnections(); api.close(() => resolve()) }))
  const apiUrl = `http://127.0.0.1:${(api.address() as AddressInfo).port}`

  const app = await returnPageServer(t)
  const gw = await startGateway(t, `
server:
  public_url: ${publicUrl}
  allow_private_upstreams: true
  connect: { return_to_origins: ["${app.origin}"] }
callers:
  api_keys:
    app: { key: "{{ get_secret('app_key') }}" }
connectors:
  crm:
    name: Example CRM
    base_url: ${apiUrl}
    auth:
      default: oauth
      methods:
        oauth:
          type: oauth2
          authorize_url: ${idp.issuer}/auth
          token_url: ${idp.issuer}/token
          client_id: ${IDP_CLIENT_ID}
          client_secret: "{{ get_secret('idp_client_secret') }}"
          scopes: [openid, offline_access]
          authorize_params: { prompt: consent }
`, { port, secrets: { app_key: APP_KEY, idp_client_secret: IDP_CLIENT_SECRET } })

  const session = await gw.fetch('/connect/sessions', {
    method: 'POST',
    headers: { 'x-latchkey-key': APP_KEY, 'content-type': 'application/json' },
    body: JSON.stringify({ connector: 'crm', connection: 'alice-crm', owner: 'alice', return_to: `${app.origin}/integrations` }),
  })
  t.equal(session.status, 201)
  const { url } = await session.json() as { url: string }

  const browser = await launchBrowser(t)
  const page = await browser.newPage()
  await page.goto(url)
  await page.click('button[type=submit]')
  // The provider's own sign-in and consent pages.
  await page.waitForSelector('input[name=login]')
  await page.fill('input[name=login]', 'alice')
  await page.fill('input[name=password]', 'any')
  await page.click('button[type=submit]')
  await page.waitForSelector('button[type=submit]')
  await page.click('button[type=submit]')
  await page.waitForURL(`${app.origin}/**`)
  const landed = new URL(page.url())
  t.equal(landed.pathname, '/integrations')
  t.equal(landed.searchParams.get('status'), 'connected')
  t.equal(landed.searchParams.get('connection'), 'alice-crm')

  const stored = await gw.gateway.connections.stored('alice-crm')
  t.equal(stored?.status, 'connected')
  t.type(stored?.credentials.refresh_token, 'string', 'a refresh token was stored (offline_access)')
  const firstRefresh = stored!.credentials.refresh_token!

  const call = async () => {
    const res = await gw.fetch('/proxy/alice-crm/me', { headers: { 'x-latchkey-key': APP_KEY } })
    return { status: res.status, body: await res.text() }
  }
  const first = await call()
  t.equal(first.status, 200, 'the provider says the injected token is live')
  t.match(first.body, /"sub":"alice"/)

  // 10 s tokens refresh after 5 s (half their life): wait past it, then call again, twice over.
  for (let round = 1; round <= 2; round++) {
    await new Promise((resolve) => setTimeout(resolve, 5_500))
    const again = await Promise.all([call(), call(), call()])
    t.same(again.map((r) => r.status), [200, 200, 200], `round ${round}: still 200 after the refresh`)
  }
  t.ok(idp.grants.filter((g) => g === 'refresh_token').length >= 2, `refreshed (${idp.grants.join(', ')})`)
  t.equal(idp.refreshErrors(), 0, 'the provider never refused a refresh token')
  const after = await gw.gateway.connections.stored('alice-crm')
  t.not(after?.credentials.refresh_token, firstRefresh, 'the refresh token was rotated')
  assertNoSecrets(t, [...gw.logs, page.url()], [IDP_CLIENT_SECRET, firstRefresh, after!.credentials.refresh_token!, after!.credentials.access_token!])
})
