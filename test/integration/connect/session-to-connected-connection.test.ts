/**
 * SPEC 8 happy path over real HTTP: an api key asks for a link, the page shows the form, the
 * submit runs the connector test with the typed key and stores the connection, which then
 * proxies for the api key that created the session.
 */
import t from 'tap'
import { recordingUpstream } from '../../helpers/upstream.js'
import { APP_KEY, createSession, startConnectGateway, submitForm } from '../../helpers/connect.js'

const TYPED_KEY = 'wk-typed-by-user-3c4d5e6f'

t.test('a connect link creates a working connection', async (t) => {
  const upstream = await recordingUpstream(t)
  const lk = await startConnectGateway(t, { upstream: upstream.url })

  const created = await createSession(lk, { connector: 'weather', connection: 'acme-weather' })
  t.equal(created.status, 201)
  t.match(created.body.token, /^[A-Za-z0-9_-]{43}$/)
  t.equal(created.body.url, `http://connect.test/connect/${created.body.token}`)
  const ttl = Date.parse(created.body.expires_at) - Date.now()
  t.ok(ttl > 14 * 60_000 && ttl <= 15 * 60_000, 'expires in 15 minutes')

  const page = await lk.fetch(`/connect/${created.body.token}`)
  t.equal(page.status, 200)
  const html = await page.text()
  t.match(html, /<label for="f-subdomain">Subdomain/)
  t.match(html, /<input type="password" id="f-api_key" name="v:api_key" required aria-required="true" autocomplete="off"/)
  t.ok(html.includes('pattern="(?:^[a-z0-9\\-]+$)" title="letters, digits and dashes"'), 'the pattern is enforced in the browser too')
  t.match(html, /Weather API/)
  t.match(html, /href="https:\/\/weatherapi\.com\/"/)

  const res = await submitForm(lk, created.body.token, { subdomain: 'acme', api_key: TYPED_KEY })
  t.equal(res.status, 200)
  t.match(await res.text(), /Weather API is connected/)
  t.equal(upstream.last().url, '/v1/ping?site=acme', 'the connector test ran with the typed config')
  t.equal(upstream.last().headers['x-api-key'], TYPED_KEY)

  const stored = await lk.gateway.connections.stored('acme-weather')
  t.same(stored?.config, { subdomain: 'acme' })
  t.same(stored?.credentials, { api_key: TYPED_KEY })
  t.same(stored?.access, { callers: ['app'], users: 'owner' })
  t.equal(stored?.owner, null)
  t.equal(stored?.status, 'connected')

  const proxied = await lk.fetch('/proxy/acme-weather/v1/current', { headers: { 'x-latchkey-key': APP_KEY } })
  t.equal(proxied.status, 200)
  t.equal(upstream.last().headers['x-api-key'], TYPED_KEY)
})

t.test('without a connection id one is generated', async (t) => {
  const upstream = await recordingUpstream(t)
  const lk = await startConnectGateway(t, { upstream: upstream.url })
  const created = await createSession(lk, { connector: 'weather' })
  t.equal(created.status, 201)
  const res = await submitForm(lk, created.body.token, { subdomain: 'acme', api_key: TYPED_KEY })
  t.equal(res.status, 200)
  const all = await lk.gateway.connections.allStored()
  t.equal(all.length, 1)
  t.match(all[0]!.id, /^weather-[a-z2-7]{8}$/)
})
