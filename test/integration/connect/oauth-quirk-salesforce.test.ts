/**
 * Salesforce tells the instance a token belongs to only in the token answer (`instance_url`):
 * metadata copies it into config, and the templated base URL uses it (within allowed_hosts).
 * Asserts the exact token request, the stored layout, and a proxied request to the instance.
 */
import t from 'tap'
import { APP_KEY } from '../../helpers/connect.js'
import { CLIENT_SECRET, oauthFlow, oauthProvider, oauthSession, oauthYaml, startOAuthGateway } from '../../helpers/oauth-provider.js'

t.test('salesforce: instance_url copied to config and used by the base URL', async (t) => {
  const provider = await oauthProvider(t)
  const now = Date.now()
  const lk = await startOAuthGateway(t, oauthYaml({
    connectors: `  acme:
    name: Salesforce
    base_url: "{{ connection.config.instance_url }}/services/data/v60.0"
    allowed_hosts: ["127.0.0.1"]
    auth:
      methods:
        oauth:
          type: oauth2
          authorize_url: ${provider.url}/authorize
          token_url: ${provider.url}/token
          client_id: sf-client
          client_secret: "{{ get_secret('client_secret') }}"
          scopes: [api, refresh_token]
          token_params: { format: json }
          metadata: [instance_url, id]
`,
  }))
  provider.tokenAnswer = () => ({
    body: { access_token: '00Dxx!AQ4AQ-sf-token', refresh_token: '5Aep-sf-refresh', instance_url: provider.url, id: 'https://login.salesforce.com/id/00Dxx/005xx', token_type: 'Bearer', issued_at: '1700000000000', signature: 'sig' },
  })
  const step = await oauthFlow(lk, await oauthSession(lk, { connection: 'sf-1' }))
  t.equal(step.result!.status, 200)

  const req = provider.tokenRequests[0]!
  const verifier = new URLSearchParams(req.body).get('code_verifier')!
  t.equal(req.body, `grant_type=authorization_code&code=${provider.codes[0]}&redirect_uri=http%3A%2F%2Fconnect.test%2Fconnect%2Foauth%2Fcallback&client_id=sf-client&client_secret=${CLIENT_SECRET}&code_verifier=${verifier}&format=json`)

  const stored = await lk.gateway.connections.stored('sf-1')
  t.same(stored?.config, { instance_url: provider.url, id: 'https://login.salesforce.com/id/00Dxx/005xx' })
  t.same(stored?.credentials, { access_token: '00Dxx!AQ4AQ-sf-token', refresh_token: '5Aep-sf-refresh', token_type: 'Bearer' }, 'no expires_in given: no expiry stored')
  t.ok(Date.now() - now < 60_000)

  const proxied = await lk.fetch('/proxy/sf-1/sobjects/Account', { headers: { 'x-latchkey-key': APP_KEY } })
  t.equal(proxied.status, 200)
  const call = provider.apiRequests.at(-1)!
  t.equal(call.url, '/services/data/v60.0/sobjects/Account')
  t.equal(call.headers.authorization, 'Bearer 00Dxx!AQ4AQ-sf-token')
})

t.test('salesforce: an instance_url outside allowed_hosts is refused by the data plane', async (t) => {
  const provider = await oauthProvider(t)
  const lk = await startOAuthGateway(t, oauthYaml({
    connectors: `  acme:
    name: Salesforce
    base_url: "{{ connection.config.instance_url }}/services/data/v60.0"
    allowed_hosts: ["*.my.salesforce.com"]
    auth:
      methods:
        oauth: { type: oauth2, authorize_url: "${provider.url}/authorize", token_url: "${provider.url}/token", client_id: sf, client_secret: s, metadata: [instance_url] }
`,
  }))
  provider.tokenAnswer = () => ({ body: { access_token: 'at-sf-2', instance_url: provider.url } })
  const step = await oauthFlow(lk, await oauthSession(lk, { connection: 'sf-2' }))
  t.equal(step.result!.status, 200, 'stored: a config value is data')
  const proxied = await lk.fetch('/proxy/sf-2/x', { headers: { 'x-latchkey-key': APP_KEY } })
  t.equal(proxied.status, 400)
  t.equal(((await proxied.json()) as { error: { code: string } }).error.code, 'invalid_path')
  t.equal(provider.apiRequests.length, 0)
})
