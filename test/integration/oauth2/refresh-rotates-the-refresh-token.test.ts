/**
 * SPEC 7.1: a warm oauth2 request injects the stored access token and calls nobody; once its
 * refresh time has come, one `grant_type=refresh_token` request (client auth in the body,
 * refresh_params) gets a new token, the new refresh token replaces the old one in the store,
 * and the upstream gets the new access token. A provider that sends no refresh token leaves
 * the old one in place.
 */
import t from 'tap'
import { assertNoSecrets, startGateway } from '../../helpers/gateway.js'
import { CLIENT_SECRET, oauth2Config, putConnection, storedOAuth2Body } from '../../helpers/oauth2-refresh.js'
import { CALLER, KEYS } from '../../helpers/stored-connections.js'
import { tokenEndpoint } from '../../helpers/token-endpoint.js'
import { recordingUpstream } from '../../helpers/upstream.js'

t.test('warm, then due: one refresh, rotated', async (t) => {
  const idp = await tokenEndpoint(t)
  const upstream = await recordingUpstream(t)
  const gw = await startGateway(t, oauth2Config({ tokenUrl: `${idp.url}/token`, upstreamUrl: upstream.url }), { secrets: { ...KEYS, client_secret: CLIENT_SECRET } })
  const call = async () => {
    const res = await gw.fetch('/proxy/acme-crm/v1/deals', { headers: CALLER })
    await res.arrayBuffer()
    return res.status
  }

  t.equal((await putConnection(gw, 'acme-crm', storedOAuth2Body({ access: 'at-warm-1', refresh: 'rt-old-1' }))).status, 201)
  t.equal(await call(), 200)
  t.equal(upstream.last().headers.authorization, 'Bearer at-warm-1', 'the stored token, as Bearer')
  t.equal(idp.requests.length, 0, 'a warm token costs no token request')

  idp.answer = (_r, fresh) => ({ body: { access_token: fresh(), token_type: 'Bearer', expires_in: 3600, refresh_token: 'rt-new-2' } })
  t.equal((await putConnection(gw, 'acme-crm', storedOAuth2Body({ access: 'at-warm-1', refresh: 'rt-old-1', due: true }))).status, 200)
  t.equal(await call(), 200)
  t.equal(idp.requests.length, 1, 'one refresh')
  const sent = idp.requests[0]!
  t.same(Object.fromEntries(sent.form), { grant_type: 'refresh_token', refresh_token: 'rt-old-1', client_id: 'crm-client', client_secret: CLIENT_SECRET, audience: 'crm-api' })
  t.equal(upstream.last().headers.authorization, `Bearer ${idp.issued[0]}`, 'the new access token upstream')
  const stored = await gw.gateway.connections.stored('acme-crm')
  t.equal(stored?.credentials.refresh_token, 'rt-new-2', 'the new refresh token replaced the old one')
  t.equal(stored?.credentials.access_token, idp.issued[0])
  t.equal(stored?.status, 'connected')

  for (let i = 0; i < 5; i++) t.equal(await call(), 200)
  t.equal(idp.requests.length, 1, 'the refreshed token is reused')

  // A provider that does not rotate: the old refresh token stays.
  idp.answer = (_r, fresh) => ({ body: { access_token: fresh(), expires_in: 3600 } })
  t.equal((await putConnection(gw, 'acme-crm', storedOAuth2Body({ access: 'at-x', refresh: 'rt-keep-3', due: true }))).status, 200)
  t.equal(await call(), 200)
  t.equal((await gw.gateway.connections.stored('acme-crm'))?.credentials.refresh_token, 'rt-keep-3', 'kept when none came back')
  assertNoSecrets(t, gw.logs, [CLIENT_SECRET, 'rt-old-1', 'rt-new-2', 'rt-keep-3', ...idp.issued])
})
