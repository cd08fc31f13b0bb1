/**
 * SPEC 8: several auth methods are offered as radio buttons (the default preselected, oauth2
 * one of them); `?auth=<name>` shows another method's inputs without any script; a session may
 * pin one.
 */
import t from 'tap'
import { recordingUpstream } from '../../helpers/upstream.js'
import { createSession, startConnectGateway, submitForm } from '../../helpers/connect.js'

t.test('the user chooses the second method', async (t) => {
  const upstream = await recordingUpstream(t)
  const lk = await startConnectGateway(t, { upstream: upstream.url })
  const { body } = await createSession(lk, { connector: 'multi', connection: 'm1' })
  const first = await (await lk.fetch(`/connect/${body.token}`)).text()
  t.match(first, /id="m-token" name="auth" value="token" checked/)
  t.match(first, /id="m-sso" name="auth" value="sso">/)
  t.notMatch(first, /not available/)
  t.match(first, /id="f-token"/)
  t.notMatch(first, /id="f-username"/)

  const second = await (await lk.fetch(`/connect/${body.token}?auth=login`)).text()
  t.match(second, /id="m-login" name="auth" value="login" checked/)
  t.match(second, /id="f-username"/)
  t.match(second, /id="f-password"/)
  t.notMatch(second, /id="f-token"/)
  const sso = await lk.fetch(`/connect/${body.token}?auth=sso`)
  const ssoPage = await sso.text()
  t.match(ssoPage, /value="sso" checked/, 'oauth2 can be chosen')
  t.notMatch(ssoPage, /id="f-/, 'it needs none of the other methods\' inputs: just the button')
  t.match(sso.headers.get('content-security-policy'), /form-action 'self' https:\/\/sso\.example\.com;/)

  const res = await submitForm(lk, body.token, { username: 'ann', password: 'pw-secret-9a8b' }, 'login')
  t.equal(res.status, 200)
  const stored = await lk.gateway.connections.stored('m1')
  t.equal(stored?.auth, 'login')
  t.same(stored?.config, { username: 'ann' })
  t.same(stored?.credentials, { password: 'pw-secret-9a8b' })
  t.equal(upstream.last().headers.authorization, `Basic ${Buffer.from('ann:pw-secret-9a8b').toString('base64')}`)
})

t.test('a pinned method shows no chooser and is the one stored', async (t) => {
  const upstream = await recordingUpstream(t)
  const lk = await startConnectGateway(t, { upstream: upstream.url })
  const { body } = await createSession(lk, { connector: 'multi', connection: 'm2', auth: 'login' })
  const html = await (await lk.fetch(`/connect/${body.token}?auth=token`)).text()
  t.notMatch(html, /name="auth" value="token"/)
  t.match(html, /id="f-username"/)
  t.equal((await submitForm(lk, body.token, { token: 'tok-abcdef12' }, 'token')).status, 400, 'another method than the pinned one')
  t.equal((await submitForm(lk, body.token, { username: 'ann', password: 'pw-77aa88bb' }, 'login')).status, 200)
  t.equal((await lk.gateway.connections.stored('m2'))?.auth, 'login')
})
