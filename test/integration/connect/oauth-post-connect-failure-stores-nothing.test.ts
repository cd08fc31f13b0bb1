/**
 * SPEC 7.4: a failing post_connect (non-2xx, not JSON, a missing path) fails the connect like a
 * failing code exchange: `post_connect_failed`, nothing stored. A working one copies its values.
 */
import t from 'tap'
import { acmeConnector, oauthFlow, oauthProvider, oauthSession, oauthYaml, startOAuthGateway } from '../../helpers/oauth-provider.js'

const POST_CONNECT = (url: string) => `post_connect:
  url: ${url}/api/accessible-resources
  headers: { X-Client: latchkey }
  metadata: { cloud_id: "[0].id", site: "[0].name" }`

t.test('post_connect copies values by path, with the new token in the header', async (t) => {
  const provider = await oauthProvider(t)
  const lk = await startOAuthGateway(t, oauthYaml({ connectors: acmeConnector(provider, POST_CONNECT(provider.url)) }))
  provider.tokenAnswer = () => ({ body: { access_token: 'at-jira-77', refresh_token: 'rt-jira-77', expires_in: 3600 } })
  provider.api = () => ({ body: [{ id: 'cloud-1234', name: 'acme-site', scopes: [] }] })
  const step = await oauthFlow(lk, await oauthSession(lk, { connection: 'acme-p0' }))
  t.equal(step.result!.status, 200)
  const call = provider.apiRequests[0]!
  t.equal(call.method, 'GET')
  t.equal(call.url, '/api/accessible-resources')
  t.equal(call.headers.authorization, 'Bearer at-jira-77')
  t.equal(call.headers['x-client'], 'latchkey')
  t.same((await lk.gateway.connections.stored('acme-p0'))?.config, { cloud_id: 'cloud-1234', site: 'acme-site' })
})

t.test('a failing post_connect stores nothing: page and return_to', async (t) => {
  const provider = await oauthProvider(t)
  const lk = await startOAuthGateway(t, oauthYaml({ connectors: acmeConnector(provider, POST_CONNECT(provider.url)) }))
  provider.api = () => ({ status: 403, body: { message: 'no' } })
  const page = await oauthFlow(lk, await oauthSession(lk, { connection: 'acme-p1' }))
  t.equal(page.result!.status, 502)
  t.match(await page.result!.text(), /account details could not be read/)
  t.equal(await lk.gateway.connections.stored('acme-p1'), undefined)

  const answers = [
    { status: 500, body: { error: 'boom' } },
    { status: 200, body: '<html>not json</html>', contentType: 'text/html' },
    { status: 200, body: [] },
    { status: 200, body: [{ name: 'no id here' }] },
  ]
  for (const [i, answer] of answers.entries()) {
    provider.api = () => answer
    const step = await oauthFlow(lk, await oauthSession(lk, { connection: `acme-p${i + 2}`, return_to: 'https://app.example.com/r' }))
    t.equal(step.result!.headers.get('location'), `https://app.example.com/r?connection=acme-p${i + 2}&status=error&error=post_connect_failed`, JSON.stringify(answer.body))
    t.equal(await lk.gateway.connections.stored(`acme-p${i + 2}`), undefined)
  }
})
