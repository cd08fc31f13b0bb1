/**
 * /mcp through the official 2.x client, in both eras (protocol 2026-07-28 pinned, and the 2025
 * initialize handshake): tools/list names and schemas, and tools/call reaching the upstream with
 * the injected credential and nothing of the caller's; a 404 from the API is an error result.
 */
import t from 'tap'
import { assertNoSecrets } from '../helpers/gateway.js'
import { AGENT_KEY, clientV2, CRM_TOKEN, resultText, SECRETS, startMcpGateway, type Era } from './mcp-setup.js'

const setup = await startMcpGateway(t)
const { upstream, lk } = setup
const seen: string[] = []

for (const era of ['modern', 'legacy'] as Era[]) {
  await t.test(`${era} era`, async (t) => {
    const client = await clientV2(t, setup.mcpUrl, { 'x-latchkey-key': AGENT_KEY }, era)

    const { tools } = await client.listTools()
    t.same(tools.map((tool) => tool.name), [
      'crm-main__contact_create', 'crm-main__contact_list', 'crm-main__contact_missing', 'crm-main__contact_read', 'crm-main__contact_update',
    ], 'one tool per action of the connection the caller may use, named <connection>__<entity>_<action>')
    const byName = new Map(tools.map((tool) => [tool.name, tool]))
    t.match(byName.get('crm-main__contact_list')?.description, /^Acme CRM \(customer records\): List contacts\./, 'description from the connector and action')
    t.same(byName.get('crm-main__contact_read')?.inputSchema.required, ['params'], 'params required when the path has any')
    t.same((byName.get('crm-main__contact_read')?.inputSchema.properties?.params as { required: string[] }).required, ['id'])
    t.notOk(byName.get('crm-main__contact_read')?.inputSchema.properties?.body, 'a GET takes no body')
    t.ok(byName.get('crm-main__contact_create')?.inputSchema.properties?.body, 'a POST takes a body')
    t.notOk(byName.get('crm-main__contact_list')?.inputSchema.required, 'nothing required without path parameters')

    const before = upstream.received.length
    const listed = await client.callTool({ name: 'crm-main__contact_list', arguments: { query: { page: '2', tag: ['a', 'b'] } } })
    t.notOk(listed.isError)
    const got = upstream.received[before]!
    t.equal(got.method, 'GET')
    t.equal(got.url, '/contacts?page=2&tag=a&tag=b', 'path and query at the upstream')
    t.equal(got.headers.authorization, `Bearer ${CRM_TOKEN}`, 'the connection credential injected')
    t.notOk(got.headers['x-latchkey-key'], 'the caller key never reaches the upstream')
    t.notOk(Object.keys(got.headers).some((h) => h.startsWith('mcp-')), 'no MCP transport header reaches the upstream')
    t.same(listed.structuredContent, { method: 'GET', url: '/contacts?page=2&tag=a&tag=b', body: '' }, 'a JSON answer is structuredContent')
    t.same(JSON.parse(resultText(listed)), listed.structuredContent, 'and the body as text')

    const created = await client.callTool({ name: 'crm-main__contact_create', arguments: { body: { name: 'Ada', tags: ['x'] } } })
    const post = upstream.last()
    t.notOk(created.isError)
    t.equal(post.method, 'POST')
    t.equal(post.url, '/contacts')
    t.equal(post.body.toString('utf8'), '{"name":"Ada","tags":["x"]}', 'the body as JSON bytes')
    t.equal(post.headers['content-type'], 'application/json')

    const read = await client.callTool({ name: 'crm-main__contact_read', arguments: { params: { id: 'c-42' } } })
    t.notOk(read.isError)
    t.equal(upstream.last().url, '/contacts/c-42', 'path parameter rendered')

    const missing = await client.callTool({ name: 'crm-main__contact_missing', arguments: {} })
    t.equal(missing.isError, true, 'a 404 from the API is an error result')
    t.match(resultText(missing), /^404: \{"error":"no such thing"\}$/, 'with the status and the API body in the text')
    seen.push(...[listed, created, read, missing].map((r) => JSON.stringify(r)))
  })
}

t.test('no secret in results or logs', async (t) => {
  assertNoSecrets(t, [...seen, ...lk.logs], SECRETS)
})
