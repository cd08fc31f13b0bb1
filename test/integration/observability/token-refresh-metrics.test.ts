/**
 * latchkey_token_refreshes_total counts oauth2 refreshes by connection and result: `ok`,
 * `refresh_failed` (invalid_grant: the user must reconnect), `error` (a provider 500) and
 * `backoff` (refused unasked right after that error). Never a user, key, path or token.
 */
import t from 'tap'
import { assertNoSecrets, startGateway } from '../../helpers/gateway.js'
import { sample, scrape } from '../../helpers/metrics.js'
import { CLIENT_SECRET, oauth2Config, putConnection, storedOAuth2Body } from '../../helpers/oauth2-refresh.js'
import { ADMIN_KEY, CALLER, KEYS } from '../../helpers/stored-connections.js'
import { tokenEndpoint } from '../../helpers/token-endpoint.js'
import { recordingUpstream } from '../../helpers/upstream.js'

t.test('refreshes are counted by connection and result', async (t) => {
  const idp = await tokenEndpoint(t)
  const upstream = await recordingUpstream(t)
  const gw = await startGateway(t, oauth2Config({ tokenUrl: `${idp.url}/token`, upstreamUrl: upstream.url }),
    { secrets: { ...KEYS, client_secret: CLIENT_SECRET } })
  const call = async (id: string) => {
    const res = await gw.fetch(`/proxy/${id}/v1/x`, { headers: CALLER })
    await res.arrayBuffer()
    return res.status
  }
  for (const [id, refresh] of [['crm-ok', 'rt-ok-1f2e'], ['crm-revoked', 'rt-revoked-3d4c'], ['crm-down', 'rt-down-5b6a']]) {
    t.equal((await putConnection(gw, id!, storedOAuth2Body({ access: `at-old-${id}`, refresh: refresh!, due: true }))).status, 201)
  }

  idp.answer = (request, fresh) => {
    switch (request.form.get('refresh_token')) {
      case 'rt-ok-1f2e': return { body: { access_token: fresh(), token_type: 'Bearer', expires_in: 3600, refresh_token: 'rt-ok-next-7e8f' } }
      case 'rt-revoked-3d4c': return { status: 400, body: { error: 'invalid_grant' } }
      default: return { status: 500, body: { error: 'server_error' } }
    }
  }
  t.equal(await call('crm-ok'), 200)
  t.equal(await call('crm-ok'), 200, 'the refreshed token is used: no second refresh')
  t.equal(await call('crm-revoked'), 409)
  t.equal(await call('crm-revoked'), 409, 'refresh_failed is final: not asked again, not counted again')
  t.equal(await call('crm-down'), 502)
  t.equal(await call('crm-down'), 502, 'within the back-off')
  t.equal(idp.requests.length, 3, 'one token request per connection')

  const text = await scrape(gw, ADMIN_KEY)
  t.equal(sample(text, 'latchkey_token_refreshes_total', { connection: 'crm-ok', result: 'ok' }), 1)
  t.equal(sample(text, 'latchkey_token_refreshes_total', { connection: 'crm-revoked', result: 'refresh_failed' }), 1)
  t.equal(sample(text, 'latchkey_token_refreshes_total', { connection: 'crm-down', result: 'error' }), 1)
  t.equal(sample(text, 'latchkey_token_refreshes_total', { connection: 'crm-down', result: 'backoff' }), 1)
  const lines = text.split('\n').filter((l) => l.startsWith('latchkey_token_refreshes_total{'))
  t.equal(lines.length, 4, 'no other series')
  for (const line of lines) t.match(line, /^latchkey_token_refreshes_total\{connection="[a-z-]+",result="[a-z_]+"\} \d+$/, 'labels: connection and result only')
  assertNoSecrets(t, [text], [CLIENT_SECRET, 'rt-ok-1f2e', 'rt-ok-next-7e8f', ...idp.issued, KEYS.caller_key])
})
