/**
 * SPEC 8: a typed credential is never logged, rendered or put in a redirect, on any path:
 * success, validation error, refused test, reuse.
 */
import t from 'tap'
import { assertNoSecrets } from '../helpers/gateway.js'
import { recordingUpstream } from '../helpers/upstream.js'
import { APP_KEY, createSession, startConnectGateway, submitForm } from '../helpers/connect.js'

const TYPED = ['typed-secret-refused-1a2b3c', 'typed-secret-invalid-4d5e6f', 'typed-secret-good-7a8b9c', 'typed-secret-reused-0d1e2f']

t.test('typed credentials appear in no log line, page or Location', async (t) => {
  let answer = 403
  const upstream = await recordingUpstream(t, (_req, res) => { res.writeHead(answer).end() })
  const lk = await startConnectGateway(t, { upstream: upstream.url, returnToOrigins: ['https://app.example.com'], logLevel: 'debug' })
  const seen: string[] = []
  const { body } = await createSession(lk, { connector: 'weather', connection: 'w1', return_to: 'https://app.example.com/done' })
  seen.push(JSON.stringify(body))

  const record = async (res: Response) => {
    seen.push(res.headers.get('location') ?? '', JSON.stringify([...res.headers]), await res.text())
    return res.status
  }
  t.equal(await record(await submitForm(lk, body.token, { subdomain: 'acme', api_key: TYPED[0]! })), 400, 'refused test')
  t.equal(await record(await submitForm(lk, body.token, { subdomain: 'BAD!', api_key: TYPED[1]! })), 400, 'invalid value')
  answer = 200
  t.equal(await record(await submitForm(lk, body.token, { subdomain: 'acme', api_key: TYPED[2]! })), 303, 'success')
  t.equal(await record(await submitForm(lk, body.token, { subdomain: 'acme', api_key: TYPED[3]! })), 410, 'reuse')
  await record(await lk.fetch('/proxy/w1/x', { headers: { 'x-latchkey-key': APP_KEY } }))

  t.ok(lk.logs.length > 0, 'something was logged')
  assertNoSecrets(t, [...lk.logs, ...seen], [...TYPED, APP_KEY])
})
