/**
 * SPEC 8 in a real browser: open a connect link, submit a value the server refuses and see the
 * message next to its field, fix it, land on return_to with the result in the query; the new
 * connection then proxies through a second latchkey process sharing Redis.
 */
import t from 'tap'
import { launchBrowser } from '../helpers/browser.js'
import { APP_KEY, createSession } from '../helpers/connect.js'
import { startConnectE2e } from '../helpers/connect-e2e.js'
import { startGatewayProcess } from '../helpers/gateway-process.js'

t.test('connect link -> error next to the field -> return_to -> proxied by another process', async (t) => {
  const { lk, upstream, app } = await startConnectE2e(t)
  const [browser, other] = await Promise.all([launchBrowser(t), startGatewayProcess(t, lk.configFile, lk.env, lk.dir)])
  const { body } = await createSession(lk, { connector: 'weather', connection: 'browser-w', return_to: `${app.origin}/settings?tab=apps` })
  const page = await browser.newPage()
  await page.goto(`${lk.url}/connect/${body.token}`)
  t.equal(await page.title(), 'Connect Weather API')

  await page.getByLabel('Subdomain').fill('Not Valid!')
  await page.getByLabel('API key').fill('browser-key-1a2b3c')
  const mismatch = await page.getByLabel('Subdomain').evaluate((el) => (el as unknown as { validity: { patternMismatch: boolean } }).validity.patternMismatch)
  t.ok(mismatch, 'the browser enforces the pattern')
  // What is tested here is the server's check: the browser's own is switched off for this submit.
  await page.locator('form[method=post]').evaluate((form) => { (form as unknown as { noValidate: boolean }).noValidate = true })
  await Promise.all([page.waitForLoadState('load'), page.getByRole('button', { name: 'Connect' }).click()])
  const subdomain = page.getByLabel('Subdomain')
  t.equal(await subdomain.getAttribute('aria-invalid'), 'true')
  const describedBy = (await subdomain.getAttribute('aria-describedby')) ?? ''
  t.match(describedBy, /f-subdomain-error/)
  t.equal(await page.locator('#f-subdomain-error').textContent(), 'letters, digits and dashes', 'the message next to the field')
  t.equal(await subdomain.inputValue(), 'Not Valid!', 'the typed value is kept')
  t.equal(await page.getByLabel('API key').inputValue(), '', 'the password is not')

  await subdomain.fill('acme')
  await page.getByLabel('API key').fill('browser-key-1a2b3c')
  await Promise.all([page.waitForURL(`${app.origin}/**`), page.getByRole('button', { name: 'Connect' }).click()])
  t.equal(new URL(page.url()).search, '?tab=apps&connection=browser-w&status=connected')
  t.ok(app.visits.includes('/settings?tab=apps&connection=browser-w&status=connected'), 'the app saw the result')

  const res = await fetch(`${other.url}/proxy/browser-w/v1/current`, { headers: { 'x-latchkey-key': APP_KEY } })
  t.equal(res.status, 200, 'the other process serves the new connection')
  t.equal(upstream.last().headers['x-api-key'], 'browser-key-1a2b3c')
})
