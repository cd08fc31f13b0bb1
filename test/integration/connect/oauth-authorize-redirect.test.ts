/**
 * SPEC 8: the Connect button of an oauth2 method answers 302 to authorize_url with
 * response_type=code, client_id, redirect_uri, scopes joined by scope_separator, a one-time
 * state, the S256 challenge of a verifier the token endpoint later receives, and
 * authorize_params, keeping the authorize URL's own query; it sets the browser-binding cookie,
 * and the page's CSP lets its form lead to the provider. Inputs are asked first and checked,
 * and a templated authorize URL must stay within allowed_hosts.
 */
import { createHash } from 'node:crypto'
import t from 'tap'
import { submitForm } from '../../helpers/connect.js'
import { acmeConnector, callCallback, cookiePair, oauthFlow, oauthProvider, oauthSession, oauthYaml, startOAuthGateway } from '../../helpers/oauth-provider.js'

t.test('the exact authorize redirect, cookie and CSP; the verifier reaches the token endpoint', async (t) => {
  const provider = await oauthProvider(t)
  const connector = acmeConnector(provider, `
scopes: [read, write, admin]
scope_separator: ","
authorize_params: { prompt: consent, access_type: offline }`).replace(`${provider.url}/authorize`, `"${provider.url}/authorize?tenant=t%201&flag"`)
  const lk = await startOAuthGateway(t, oauthYaml({ connectors: connector, publicUrl: 'https://gw.example.com' }))
  const token = await oauthSession(lk, { connection: 'acme-1' })

  const page = await lk.fetch(`/connect/${token}`)
  t.equal(page.status, 200)
  const html = await page.text()
  t.match(html, /<button type="submit">Connect<\/button>/)
  t.notMatch(html, /not available/)
  t.match(page.headers.get('content-security-policy'), new RegExp(`form-action 'self' ${provider.url.replace(/\./g, '\\.')};`), 'form-action allows the authorize origin')

  const step = await oauthFlow(lk, token)
  t.equal(step.submit.status, 302)
  const location = step.submit.headers.get('location')!
  t.ok(location.startsWith(`${provider.url}/authorize?tenant=t%201&flag&response_type=code&`), 'the authorize URL keeps its own query as written')
  const q = step.authorize!.searchParams
  const state = q.get('state')!
  t.same([...q.keys()], ['tenant', 'flag', 'response_type', 'client_id', 'redirect_uri', 'scope', 'state', 'code_challenge', 'code_challenge_method', 'prompt', 'access_type'])
  t.equal(q.get('client_id'), 'acme-client')
  t.equal(q.get('redirect_uri'), 'https://gw.example.com/connect/oauth/callback')
  t.equal(q.get('scope'), 'read,write,admin')
  t.match(state, /^[A-Za-z0-9_-]{43}$/)
  t.equal(q.get('code_challenge_method'), 'S256')
  t.equal(q.get('prompt'), 'consent')
  t.equal(q.get('access_type'), 'offline')

  const binding = createHash('sha256').update(state).digest('base64url')
  t.equal(step.setCookie, `latchkey_oauth=${binding}; Path=/connect/oauth; HttpOnly; SameSite=Lax; Max-Age=600; Secure`)
  t.equal(step.submit.headers.get('cache-control'), 'no-store')

  t.equal(step.result!.status, 200, 'connected')
  t.equal(step.result!.headers.get('set-cookie'), 'latchkey_oauth=; Path=/connect/oauth; HttpOnly; SameSite=Lax; Max-Age=0; Secure', 'the cookie is cleared')
  const sent = new URLSearchParams(provider.tokenRequests[0]!.body)
  const verifier = sent.get('code_verifier')!
  t.match(verifier, /^[A-Za-z0-9_-]{43,128}$/)
  t.equal(createHash('sha256').update(verifier).digest('base64url'), q.get('code_challenge'), 'challenge = base64url(sha256(verifier))')
  t.equal(sent.get('redirect_uri'), 'https://gw.example.com/connect/oauth/callback')
  t.equal(sent.get('code'), provider.codes[0])
})

t.test('pkce: false sends no challenge; no scopes sends no scope; a space is the default separator', async (t) => {
  const provider = await oauthProvider(t)
  const lk = await startOAuthGateway(t, oauthYaml({
    connectors: acmeConnector(provider, 'pkce: false') + acmeConnector(provider, 'scopes: [a, b]').replace('  acme:', '  spaced:'),
  }))
  const step = await oauthFlow(lk, await oauthSession(lk, {}))
  const q = step.authorize!.searchParams
  t.equal(q.has('code_challenge'), false)
  t.equal(q.has('code_challenge_method'), false)
  t.equal(q.has('scope'), false)
  t.equal(step.setCookie?.includes('Secure'), false, 'http public_url: no Secure')
  t.equal(new URLSearchParams(provider.tokenRequests[0]!.body).has('code_verifier'), false)

  const spaced = await oauthFlow(lk, await oauthSession(lk, { connector: 'spaced' }))
  t.equal(spaced.authorize!.searchParams.get('scope'), 'a b')
  t.match(spaced.submit.headers.get('location'), /&scope=a\+b&/)
})

t.test('inputs are asked first, checked, and fill a templated authorize URL within allowed_hosts', async (t) => {
  const provider = await oauthProvider(t)
  const lk = await startOAuthGateway(t, oauthYaml({
    connectors: `  shop:
    name: Shop
    base_url: "https://{{ connection.config.shop }}.myshopify.com/admin/api"
    allowed_hosts: ["*.myshopify.com"]
    auth:
      methods:
        oauth:
          type: oauth2
          authorize_url: "https://{{ connection.config.shop }}.myshopify.com/admin/oauth/authorize"
          token_url: "https://{{ connection.config.shop }}.myshopify.com/admin/oauth/access_token"
          client_id: shop-client
          client_secret: "{{ get_secret('client_secret') }}"
    inputs:
      - { name: shop, label: Shop, required: true, pattern: "^[a-z0-9.-]+$" }
`,
  }))
  const token = await oauthSession(lk, { connector: 'shop', connection: 'shop-1' })
  const page = await lk.fetch(`/connect/${token}`)
  const html = await page.text()
  t.match(html, /name="v:shop"/, 'the shop input is asked')
  t.match(page.headers.get('content-security-policy'), /form-action 'self' https:\/\/\*\.myshopify\.com;/)

  const missing = await submitForm(lk, token, {}, 'oauth')
  t.equal(missing.status, 400)
  t.match(await missing.text(), /Shop is required/)
  t.equal(missing.headers.get('location'), null)

  const bad = await submitForm(lk, token, { shop: 'ACME/evil' }, 'oauth')
  t.equal(bad.status, 400, 'the pattern is checked on the server')
  t.equal(bad.headers.get('location'), null)

  // Passes the pattern, but renders a host outside allowed_hosts.
  const outside = await submitForm(lk, token, { shop: 'evil.test.' }, 'oauth')
  t.equal(outside.status, 400)
  t.match(await outside.text(), /address this connector does not allow/)
  t.equal(outside.headers.get('location'), null, 'nothing redirected')
  t.equal(outside.headers.get('set-cookie'), null)

  const ok = await submitForm(lk, token, { shop: 'acme' }, 'oauth')
  t.equal(ok.status, 302)
  const location = new URL(ok.headers.get('location')!)
  t.equal(`${location.origin}${location.pathname}`, 'https://acme.myshopify.com/admin/oauth/authorize')
  t.equal(location.searchParams.get('client_id'), 'shop-client')
  t.equal(provider.authorizeRequests.length, 0)
})

t.test('a state is bound to the config typed before the redirect', async (t) => {
  const provider = await oauthProvider(t)
  const lk = await startOAuthGateway(t, oauthYaml({
    connectors: acmeConnector(provider, '', `inputs:
  - { name: region, label: Region, required: true, options: [eu, us] }`).replace(`${provider.url}/token`, `"${provider.url}/token?region={{ connection.config.region }}"`).replace(`base_url: ${provider.url}/api`, `base_url: ${provider.url}/api\n    allowed_hosts: ["127.0.0.1"]`),
  }))
  const token = await oauthSession(lk, { connection: 'acme-r' })
  const step = await oauthFlow(lk, token, { region: 'eu' })
  t.equal(step.result!.status, 200)
  t.equal(provider.tokenRequests[0]!.url, '/token?region=eu', 'the templated token_url renders with the typed config')
  const stored = await lk.gateway.connections.stored('acme-r')
  t.same(stored?.config, { region: 'eu' })
  t.equal(cookiePair(step.setCookie)?.startsWith('latchkey_oauth='), true)
  // replaying the same callback now is refused
  const again = await callCallback(lk, step.callback!, cookiePair(step.setCookie))
  t.equal(again.status, 400)
})
