/**
 * /mcp through the official 1.x `@modelcontextprotocol/sdk` streamable HTTP client (initialize,
 * then stateless requests): it lists the caller's tools and calls one, which reaches the upstream
 * with the injected credential; a 404 from the API is an error result with the status.
 */
import t from 'tap'
import { assertNoSecrets } from '../helpers/gateway.js'
import { AGENT_KEY, clientV1, CRM_TOKEN, resultText, SECRETS, startMcpGateway } from './mcp-setup.js'

t.test('lists and calls through the 1.x client', async (t) => {
  const { lk, upstream, mcpUrl } = await startMcpGateway(t)
  const client = await clientV1(t, mcpUrl, { 'x-latchkey-key': AGENT_KEY })

  const { tools } = await client.listTools()
  t.same(tools.map((tool) => tool.name).sort(), [
    'crm-main__contact_create', 'crm-main__contact_list', 'crm-main__contact_missing', 'crm-main__contact_read', 'crm-main__contact_update',
  ], 'the tools of the one connection the caller may use')

  const updated = await client.callTool({ name: 'crm-main__contact_update', arguments: { params: { id: 'c-7' }, query: { notify: 'no' }, body: { name: 'Grace' } } })
  t.notOk(updated.isError)
  const got = upstream.last()
  t.equal(got.method, 'PATCH')
  t.equal(got.url, '/contacts/c-7?notify=no')
  t.equal(got.body.toString('utf8'), '{"name":"Grace"}')
  t.equal(got.headers.authorization, `Bearer ${CRM_TOKEN}`)
  t.notOk(got.headers['x-latchkey-key'], 'no caller key upstream')
  t.same(updated.structuredContent, { method: 'PATCH', url: '/contacts/c-7?notify=no', body: '{"name":"Grace"}' })

  const missing = await client.callTool({ name: 'crm-main__contact_missing', arguments: {} })
  t.equal(missing.isError, true)
  t.match(resultText(missing), /^404: /)

  assertNoSecrets(t, [JSON.stringify(updated), JSON.stringify(missing), ...lk.logs], SECRETS)
})
