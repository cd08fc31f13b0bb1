/**
 * QuickBooks names the company only in the redirect back (`realmId`): redirect_metadata copies
 * that callback parameter into config; expires_in becomes expires_at in epoch seconds.
 */
import t from 'tap'
import { APP_KEY } from '../../helpers/connect.js'
import { acmeConnector, oauthFlow, oauthProvider, oauthSession, oauthYaml, startOAuthGateway } from '../../helpers/oauth-provider.js'

t.test('quickbooks: realmId from the callback query', async (t) => {
  const provider = await oauthProvider(t)
  const lk = await startOAuthGateway(t, oauthYaml({
    connectors: acmeConnector(provider, `client_auth: basic
redirect_metadata: { realm_id: realmId }`).replace(`base_url: ${provider.url}/api`, `base_url: "${provider.url}/v3/company/{{ connection.config.realm_id }}"\n    allowed_hosts: ["127.0.0.1"]`),
  }))
  provider.callbackExtra = { realmId: '9130350', ignored: 'x' }
  provider.tokenAnswer = () => ({ body: { access_token: 'qb-at-1', refresh_token: 'qb-rt-1', expires_in: 3600, x_refresh_token_expires_in: 8726400, token_type: 'bearer' } })
  const before = Math.floor(Date.now() / 1000)
  const step = await oauthFlow(lk, await oauthSession(lk, { connection: 'qb-1' }))
  t.equal(step.result!.status, 200)
  const stored = await lk.gateway.connections.stored('qb-1')
  t.same(stored?.config, { realm_id: '9130350' })
  const expiresAt = Number(stored?.credentials.expires_at)
  t.ok(expiresAt >= before + 3600 && expiresAt <= before + 3602, 'expires_at in epoch seconds')
  t.equal(stored?.credentials.refresh_token, 'qb-rt-1')
  t.notOk(new URLSearchParams(provider.tokenRequests[0]!.body).has('client_secret'), 'basic: no secret in the body')

  const proxied = await lk.fetch('/proxy/qb-1/companyinfo/9130350', { headers: { 'x-latchkey-key': APP_KEY } })
  t.equal(proxied.status, 200)
  t.equal(provider.apiRequests.at(-1)?.url, '/v3/company/9130350/companyinfo/9130350')
  t.equal(provider.apiRequests.at(-1)?.headers.authorization, 'Bearer qb-at-1')
})
