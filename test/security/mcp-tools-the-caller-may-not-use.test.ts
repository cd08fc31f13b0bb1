/**
 * A tool of a connection the caller may not use is not listed, and calling it by name anyway is
 * refused with the same answer as a tool that does not exist; hostile path parameters and
 * unknown envelope fields are error results; in every case the upstream is not contacted.
 */
import t from 'tap'
import { AGENT_KEY, clientV2, resultText, startMcpGateway, STRANGER_KEY } from '../mcp/mcp-setup.js'

const { upstream, mcpUrl } = await startMcpGateway(t)
const agent = await clientV2(t, mcpUrl, { 'x-latchkey-key': AGENT_KEY }, 'modern')
const stranger = await clientV2(t, mcpUrl, { 'x-latchkey-key': STRANGER_KEY }, 'legacy')

t.test('not listed', async (t) => {
  const names = (await agent.listTools()).tools.map((tool) => tool.name)
  t.notOk(names.some((name) => name.startsWith('crm-other__')), 'the agent sees none of crm-other')
  const theirs = (await stranger.listTools()).tools.map((tool) => tool.name)
  t.ok(theirs.length > 0 && theirs.every((name) => name.startsWith('crm-other__')), 'the stranger sees only crm-other')
})

/** The error a refused call gives: a protocol error, or (some clients) an error result. */
async function refusal (name: string): Promise<string> {
  try {
    const result = await agent.callTool({ name, arguments: {} })
    return result.isError === true ? resultText(result) : 'NOT REFUSED'
  } catch (err) {
    return (err as Error).message
  }
}

t.test('refused when called anyway, like an unknown tool', async (t) => {
  const before = upstream.received.length
  const foreign = await refusal('crm-other__contact_list')
  const unknown = await refusal('crm-nope__contact_list')
  t.match(foreign, /Unknown tool: crm-other__contact_list/)
  t.equal(foreign.replace('crm-other', 'X'), unknown.replace('crm-nope', 'X'), 'the same answer whether or not the connection exists')
  t.match(await refusal('crm-main__contact_list__contact_list'), /Unknown tool/, 'a doubled suffix is no tool')
  t.match(await refusal('crm-main'), /Unknown tool/)
  t.match(await refusal('__contact_list'), /Unknown tool/)
  t.match(await refusal(`crm-main__contact_list${'_'.repeat(300)}`), /Unknown tool/, 'an overlong name')
  t.equal(upstream.received.length, before, 'the upstream was not contacted')
})

t.test('hostile path parameters are error results', async (t) => {
  const before = upstream.received.length
  for (const id of ['../x', '..', '%2e%2e', '.%2E', 'a/b', 'a\\b', '%2fetc', 'x\r\ny']) {
    const result = await agent.callTool({ name: 'crm-main__contact_read', arguments: { params: { id } } })
    t.equal(result.isError, true, `${JSON.stringify(id)}: isError`)
    t.match(resultText(result), /^400 invalid_request: /, `${JSON.stringify(id)}: status and code`)
  }
  const missingParam = await agent.callTool({ name: 'crm-main__contact_read', arguments: {} })
  t.match(resultText(missingParam), /^400 invalid_request: /, 'a missing path parameter')
  const extra = await agent.callTool({ name: 'crm-main__contact_list', arguments: { headers: { authorization: 'x' } } })
  t.match(resultText(extra), /^400 invalid_request: unknown field headers/, 'an unknown envelope field')
  const getBody = await agent.callTool({ name: 'crm-main__contact_list', arguments: { body: { a: 1 } } })
  t.match(resultText(getBody), /^400 invalid_request: .*sends no body/, 'a body for a GET')
  t.equal(upstream.received.length, before, 'the upstream was not contacted')
})
