/**
 * The README's picture of the connect page, taken from the real page: written to
 * docs/connect-page.png with LATCHKEY_UPDATE_SCREENSHOT=1, else to a temp file (so a test run
 * leaves the work tree as it was).
 */
import { repoPath } from '../helpers/repo.js'
import { mkdir } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import t from 'tap'
import { launchBrowser } from '../helpers/browser.js'
import { createSession, startConnectGateway } from '../helpers/connect.js'
import { recordingUpstream } from '../helpers/upstream.js'

const OUT = process.env.LATCHKEY_UPDATE_SCREENSHOT === '1'
  ? repoPath('docs/connect-page.png')
  : path.join(tmpdir(), `latchkey-connect-page-${process.pid}.png`)

t.test('screenshot of the connect page', async (t) => {
  const upstream = await recordingUpstream(t)
  const [lk, browser] = await Promise.all([startConnectGateway(t, { upstream: upstream.url }), launchBrowser(t)])
  const { body } = await createSession(lk, { connector: 'weather', connection: 'shot' })
  const page = await browser.newPage({ viewport: { width: 760, height: 720 }, colorScheme: 'light' })
  await page.goto(`${lk.url}/connect/${body.token}`)
  await mkdir(path.dirname(OUT), { recursive: true })
  await page.screenshot({ path: OUT, fullPage: true })
  t.pass(`saved ${OUT}`)
})
