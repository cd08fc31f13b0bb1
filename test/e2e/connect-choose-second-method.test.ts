/** SPEC 8 in a browser: of two auth methods the user picks the second one and connects with it. */
import t from 'tap'
import { launchBrowser } from '../helpers/browser.js'
import { createSession, startConnectGateway } from '../helpers/connect.js'
import { recordingUpstream } from '../helpers/upstream.js'

t.test('choosing the second method shows its inputs and stores it', async (t) => {
  const upstream = await recordingUpstream(t)
  const [lk, browser] = await Promise.all([startConnectGateway(t, { upstream: upstream.url }), launchBrowser(t)])
  const { body } = await createSession(lk, { connector: 'multi', connection: 'm1' })
  const page = await browser.newPage()
  await page.goto(`${lk.url}/connect/${body.token}`)
  t.ok(await page.getByLabel(/^token/).isChecked(), 'the default is preselected')
  t.ok(await page.getByLabel(/^sso/).isEnabled(), 'oauth2 can be chosen too')
  t.equal(await page.getByLabel('Username', { exact: true }).count(), 0)

  await page.getByLabel(/^login/).check()
  await Promise.all([page.waitForURL(/\?auth=login$/), page.getByRole('button', { name: 'Use this method' }).click()])
  t.ok(await page.getByLabel(/^login/).isChecked())
  t.equal(await page.getByLabel('Access token', { exact: true }).count(), 0, 'the first method\'s input is gone')
  await page.getByLabel('Username', { exact: true }).fill('ann')
  await page.getByLabel('Password', { exact: true }).fill('pw-browser-5e6f7a')
  await Promise.all([page.waitForLoadState('load'), page.getByRole('button', { name: 'Connect' }).click()])
  t.match(await page.locator('h1').textContent(), /Multi Auth connected/)
  const stored = await lk.gateway.connections.stored('m1')
  t.equal(stored?.auth, 'login')
  t.same(stored?.credentials, { password: 'pw-browser-5e6f7a' })
})
