/** SPEC 8 POST /connect/sessions: who may ask, and every malformed body a 400 naming the field. */
import t from 'tap'
import { recordingUpstream } from '../../helpers/upstream.js'
import { createSession, startConnectGateway, userToken } from '../../helpers/connect.js'

t.test('session requests are checked', async (t) => {
  const upstream = await recordingUpstream(t)
  const lk = await startConnectGateway(t, { upstream: upstream.url, extra: `connections:\n  yaml-one: { connector: weather, config: { subdomain: x }, credentials: { api_key: k } }\n` })

  t.equal((await createSession(lk, { connector: 'weather' }, {})).status, 401, 'anonymous')
  t.equal((await createSession(lk, { connector: 'weather' }, {})).body.error?.code, 'unauthenticated')
  t.equal((await createSession(lk, { connector: 'weather' }, { 'x-latchkey-key': 'wrong' })).status, 401, 'a wrong key')

  for (const [body, why] of [
    [{ connector: 'weather', extra: 1 }, 'unknown field'],
    [{ connector: 'nope' }, 'unknown connector'],
    [{}, 'no connector'],
    [{ connector: 'weather', auth: 'nope' }, 'unknown method'],
    [{ connector: 'weather', connection: 'Bad Id' }, 'bad id'],
    [{ connector: 'weather', return_to: 'not a url' }, 'bad return_to'],
    [[1], 'not an object'],
  ] as const) {
    const res = await createSession(lk, body)
    t.equal(res.status, 400, why)
    t.equal(res.body.error?.code, 'invalid_request', why)
  }
  t.equal((await createSession(lk, { connector: 'weather', connection: 'yaml-one' })).body.error?.code, 'connection_conflict')

  const alice = { authorization: `Bearer ${await userToken('alice')}` }
  t.equal((await createSession(lk, { connector: 'weather', owner: 'bob' }, alice)).status, 400, 'a user names another owner')
  t.equal((await createSession(lk, { connector: 'weather', owner: 'alice' }, alice)).status, 201, 'a user names itself')
  t.equal((await createSession(lk, { connector: 'multi', auth: 'login' }, alice)).status, 201, 'a pinned method')
  t.equal((await createSession(lk, { connector: 'multi', auth: 'sso' }, alice)).status, 201, 'a pinned oauth2 method')

  const form = await lk.fetch('/connect/sessions', { method: 'POST', headers: { 'x-latchkey-key': 'ck-connect-app-5e6f7a8b9c', 'content-type': 'application/x-www-form-urlencoded' }, body: 'connector=weather' })
  t.equal(form.status, 400, 'JSON only')
})
