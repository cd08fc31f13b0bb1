/** SPEC 8: a link lives 15 minutes; an expired or unknown one is a 404 HTML page, never a trace. */
import t from 'tap'
import { recordingUpstream } from '../../helpers/upstream.js'
import { createSession, startConnectGateway, submitForm } from '../../helpers/connect.js'

t.test('a link expires after 15 minutes', async (t) => {
  let now = Date.now()
  const upstream = await recordingUpstream(t)
  const lk = await startConnectGateway(t, { upstream: upstream.url }, { clock: () => now })
  const { body } = await createSession(lk, { connector: 'weather', connection: 'w1' })
  now += 14 * 60_000
  t.equal((await lk.fetch(`/connect/${body.token}`)).status, 200, 'still valid after 14 minutes')
  now += 61_000
  const page = await lk.fetch(`/connect/${body.token}`)
  t.equal(page.status, 404)
  t.match(await page.text(), /unknown or has expired/)
  t.equal((await submitForm(lk, body.token, { subdomain: 'acme', api_key: 'key-late-9z8y' })).status, 404)
  t.equal(await lk.gateway.connections.stored('w1'), undefined)
})

t.test('an unknown or malformed token is a 404 page', async (t) => {
  const upstream = await recordingUpstream(t)
  const lk = await startConnectGateway(t, { upstream: upstream.url })
  for (const token of ['A'.repeat(43), 'short', '%3Cscript%3E']) {
    const res = await lk.fetch(`/connect/${token}`)
    t.equal(res.status, 404, token)
    t.match(res.headers.get('content-type'), /^text\/html/)
    const html = await res.text()
    t.notMatch(html, /at .*\.ts:\d+/, 'no stack trace')
    t.notMatch(html, /<script/i)
  }
})
