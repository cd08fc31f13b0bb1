/**
 * SPEC 7.1 refresh failures: `invalid_grant` marks the connection `refresh_failed` (409
 * connection_not_authorized until reconnected, no more token requests); any other failure
 * (a 500, a timeout) is 502 token_refresh_failed, leaves the connection `connected` and keeps
 * the refresh token it used; an upstream 401 makes one refresh and one replay.
 */
import t from 'tap'
import { startGateway } from '../../helpers/gateway.js'
import { CLIENT_SECRET, oauth2Config, putConnection, storedOAuth2Body } from '../../helpers/oauth2-refresh.js'
import { CALLER, KEYS } from '../../helpers/stored-connections.js'
import { tokenEndpoint } from '../../helpers/token-endpoint.js'
import { recordingUpstream } from '../../helpers/upstream.js'

const code = async (res: Response) => ((await res.json()) as { error: { code: string } }).error.code

t.test('invalid_grant, server errors, timeouts and a 401', async (t) => {
  const idp = await tokenEndpoint(t)
  let reject = false
  const upstream = await recordingUpstream(t, (req, res) => {
    const stale = reject && req.headers.authorization === 'Bearer at-rejected'
    res.writeHead(stale ? 401 : 200, { 'content-type': 'application/json' }).end(stale ? '{"error":"expired"}' : '{"ok":true}')
  })
  const gw = await startGateway(t, oauth2Config({ tokenUrl: `${idp.url}/token`, upstreamUrl: upstream.url }).replace('server: { allow_private_upstreams: true }', 'server: { allow_private_upstreams: true, token_timeout: 500ms }'),
    { secrets: { ...KEYS, client_secret: CLIENT_SECRET } })
  const call = () => gw.fetch('/proxy/c/v1/x', { headers: CALLER })

  // A 500 and a timeout: 502, nothing marked, the refresh token kept.
  await putConnection(gw, 'c', storedOAuth2Body({ access: 'at-1', refresh: 'rt-keep', due: true }))
  idp.answer = () => ({ status: 500, body: { error: 'server_error' } })
  let res = await call()
  t.equal(res.status, 502)
  t.equal(await code(res), 'token_refresh_failed')
  t.equal((await gw.gateway.connections.stored('c'))?.status, 'connected', 'a 500 does not mark the connection')
  await putConnection(gw, 'c', storedOAuth2Body({ access: 'at-1', refresh: 'rt-keep', due: true }))
  await new Promise((resolve) => setTimeout(resolve, 1_100)) // past the 1 s back-off
  idp.answer = (_r, fresh) => ({ delayMs: 2_000, body: { access_token: fresh(), refresh_token: 'rt-lost' } })
  res = await call()
  t.equal(res.status, 502, 'a timed-out refresh')
  t.equal(await code(res), 'token_refresh_failed')
  const kept = await gw.gateway.connections.stored('c')
  t.equal(kept?.credentials.refresh_token, 'rt-keep', 'a timeout does not cost the refresh token')
  t.equal(kept?.status, 'connected')

  // invalid_grant: refresh_failed, 409, and no further token requests.
  await putConnection(gw, 'c2', storedOAuth2Body({ access: 'at-2', refresh: 'rt-revoked', due: true }))
  idp.answer = () => ({ status: 400, body: { error: 'invalid_grant', error_description: 'revoked rt-revoked' } })
  res = await call().then(() => gw.fetch('/proxy/c2/v1/x', { headers: CALLER }))
  t.equal(res.status, 409)
  t.equal(await code(res), 'connection_not_authorized')
  t.equal((await gw.gateway.connections.stored('c2'))?.status, 'refresh_failed')
  const before = idp.requests.length
  res = await gw.fetch('/proxy/c2/v1/x', { headers: CALLER })
  t.equal(res.status, 409, 'still 409 until reconnected')
  t.equal(idp.requests.length, before, 'and the provider is not asked again')
  const listed = await (await gw.fetch('/admin/connections/c2', { headers: { 'x-latchkey-key': KEYS.admin_key } })).json() as { status: string }
  t.equal(listed.status, 'refresh_failed', 'the admin API shows it')

  // An upstream 401 on a token it still considers fresh: one refresh, one replay.
  idp.answer = (_r, fresh) => ({ body: { access_token: fresh(), expires_in: 3600, refresh_token: 'rt-after-401' } })
  await putConnection(gw, 'c3', storedOAuth2Body({ access: 'at-rejected', refresh: 'rt-3' }))
  reject = true
  const asked = idp.requests.length
  const seen = upstream.received.length
  res = await gw.fetch('/proxy/c3/v1/x', { headers: CALLER })
  t.equal(res.status, 200, 'replayed with a new token')
  t.equal(idp.requests.length, asked + 1, 'one refresh')
  t.equal(upstream.received.length, seen + 2, 'one replay')
  t.equal(upstream.last().headers.authorization, `Bearer ${idp.issued.at(-1)}`)
})
