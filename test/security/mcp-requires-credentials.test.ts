/**
 * /mcp is never anonymous: no credentials, a wrong key, or a bad user token is 401, and with
 * user callers configured the 401 points at the RFC 9728 metadata document naming the issuer.
 * A valid user token lists the tools of the user's own stored connections. An envelope larger
 * than body_limit is 413. No request of these reaches the upstream.
 */
import t from 'tap'
import { assertNoSecrets } from '../helpers/gateway.js'
import { clientV2, ISSUER, SECRETS, startMcpGateway, userToken } from '../mcp/mcp-setup.js'

const { lk, upstream, mcpUrl } = await startMcpGateway(t, { users: true, bodyLimit: '2kb' })
const INIT = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '1' } } })
const post = (headers: Record<string, string>, body = INIT) => lk.fetch('/mcp', {
  method: 'POST', body, headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...headers },
})
const POINTER = 'resource_metadata="https://gw.example.com/.well-known/oauth-protected-resource/mcp"'
const seen: string[] = []

t.test('401 without credentials, with the metadata pointer', async (t) => {
  const res = await post({})
  t.equal(res.status, 401)
  t.equal(res.headers.get('www-authenticate'), `Bearer ${POINTER}`)
  const body = await res.json() as { error: { code: string } }
  t.equal(body.error.code, 'unauthenticated')
})

t.test('401 for a wrong key or a bad user token', async (t) => {
  const wrongKey = await post({ 'x-latchkey-key': 'not-a-key' })
  t.equal(wrongKey.status, 401)
  t.match(wrongKey.headers.get('www-authenticate'), POINTER)
  const forged = await post({ authorization: `Bearer ${await userToken('u1', 'another-secret-of-32-bytes-length!')}` })
  t.equal(forged.status, 401)
  t.equal(forged.headers.get('www-authenticate'), `Bearer error="invalid_token", ${POINTER}`)
  seen.push(await wrongKey.text(), await forged.text())
})

t.test('the protected resource metadata document', async (t) => {
  const res = await lk.fetch('/.well-known/oauth-protected-resource/mcp')
  t.equal(res.status, 200)
  const doc = await res.json() as Record<string, unknown>
  t.equal(doc.resource, 'https://gw.example.com/mcp')
  t.same(doc.authorization_servers, [ISSUER])
  t.same(doc.bearer_methods_supported, ['header'])
  seen.push(JSON.stringify(doc))
})

t.test('a user sees the tools of the stored connections it owns', async (t) => {
  // Stored as the connect flow stores them: owner, users: owner.
  const draft = (owner: string) => ({ connector: 'crm', auth: 'token', owner, config: {}, credentials: { token: `tok-${owner}` }, access: { users: 'owner' as const } })
  await lk.gateway.connections.save('u1-crm', draft('u1'))
  await lk.gateway.connections.save('u2-crm', draft('u2'))
  await lk.gateway.connections.save('u1-pending', draft('u1'), 'pending')
  const client = await clientV2(t, mcpUrl, { authorization: `Bearer ${await userToken('u1')}` }, 'modern')
  const names = (await client.listTools()).tools.map((tool) => tool.name)
  t.ok(names.length > 0 && names.every((name) => name.startsWith('u1-crm__')), 'only the own, connected connection: not u2, not pending, not the api-key ones')
  const result = await client.callTool({ name: 'u1-crm__contact_list', arguments: {} })
  t.notOk(result.isError)
  t.equal(upstream.last().headers.authorization, 'Bearer tok-u1')
})

t.test('413 beyond body_limit, before anything else', async (t) => {
  const key = { authorization: `Bearer ${await userToken('u1')}` }
  const before = upstream.received.length
  const res = await post(key, JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'tools/list', params: { pad: 'x'.repeat(4096) } }))
  t.equal(res.status, 413)
  t.equal(((await res.json()) as { error: { code: string } }).error.code, 'payload_too_large')
  t.equal(upstream.received.length, before)
})

t.test('no secret in answers or logs', async (t) => {
  assertNoSecrets(t, [...seen, ...lk.logs], SECRETS)
})
