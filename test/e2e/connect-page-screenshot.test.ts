/** The README's picture of the connect page: docs/connect-page.png, taken from the real page. */
import { mkdir } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import t from 'tap'
import { launchBrowser } from '../helpers/browser.js'
import { createSession, startConnectGateway } from '../helpers/connect.js'
import { recordingUpstream } from '../helpers/upstream.js'

const OUT = fileURLToPath(new URL('../../docs/connect-page.png', import.meta.url))

t.test('screenshot of the connect page', async (t) => {
  const upstream = await recordingUpstream(t)
  const [lk, browser] = await Promise.all([startConnectGateway(t, { upstream: upstream.url }), launchBrowser(t)])
  const { body } = await createSession(lk, { connector: 'weather', connection: 'shot' })
  const page = await browser.newPage({ viewport: { width: 760, height: 720 }, colorScheme: 'light' })
  await page.goto(`${lk.url}/connect/${body.token}`)
  await mkdir(new URL('../../docs/', import.meta.url), { recursive: true })
  await page.screenshot({ path: OUT, fullPage: true })
  t.pass(`saved ${OUT}`)
})
