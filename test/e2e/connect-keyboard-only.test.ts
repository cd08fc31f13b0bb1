/**
 * SPEC 8: the connect page works with a keyboard alone: Tab through the method choice (arrow
 * keys pick a radio), Enter on its button, type into the inputs, Enter to connect; the focused
 * element always shows a visible outline.
 */
import t from 'tap'
import type { Page } from 'playwright-core'
import { launchBrowser } from '../helpers/browser.js'
import { createSession, startConnectGateway } from '../helpers/connect.js'
import { recordingUpstream } from '../helpers/upstream.js'

async function focused (page: Page): Promise<{ id: string, text: string, outline: string }> {
  // Runs in the page: the browser's globals, typed here by what is read from them.
  type Focusable = { id: string, textContent: string | null }
  type PageGlobals = { document: { activeElement: Focusable }, getComputedStyle (el: Focusable): { outlineStyle: string, outlineWidth: string } }
  return page.evaluate(() => {
    const { document, getComputedStyle } = globalThis as unknown as PageGlobals
    const el = document.activeElement
    const style = getComputedStyle(el)
    return { id: el.id, text: el.textContent ?? '', outline: `${style.outlineStyle} ${style.outlineWidth}` }
  })
}

t.test('keyboard only: choose the second method and connect', async (t) => {
  const upstream = await recordingUpstream(t)
  const [lk, browser] = await Promise.all([startConnectGateway(t, { upstream: upstream.url }), launchBrowser(t)])
  const { body } = await createSession(lk, { connector: 'multi', connection: 'kb' })
  const page = await browser.newPage()
  await page.goto(`${lk.url}/connect/${body.token}`)

  await page.keyboard.press('Tab')
  let now = await focused(page)
  t.equal(now.id, 'm-token', 'the checked radio takes the focus first')
  t.equal(now.outline, 'solid 3px', 'a visible focus outline')
  await page.keyboard.press('ArrowDown')
  t.equal((await focused(page)).id, 'm-login', 'an arrow picks the next method')
  await page.keyboard.press('Tab')
  now = await focused(page)
  t.match(now.text, /Use this method/)
  t.equal(now.outline, 'solid 3px')
  await Promise.all([page.waitForURL(/\?auth=login$/), page.keyboard.press('Enter')])

  // Tab past the chooser (the checked radio, its button) to the first input.
  for (let i = 0; i < 3; i++) await page.keyboard.press('Tab')
  t.equal((await focused(page)).id, 'f-username')
  await page.keyboard.type('kay')
  await page.keyboard.press('Tab')
  t.equal((await focused(page)).id, 'f-password')
  await page.keyboard.type('pw-keyboard-8c9d0e')
  await page.keyboard.press('Tab')
  t.match((await focused(page)).text, /^Connect$/)
  await Promise.all([page.waitForLoadState('load'), page.keyboard.press('Space')])
  t.match(await page.locator('h1').textContent(), /connected/)
  t.same((await lk.gateway.connections.stored('kb'))?.config, { username: 'kay' })
})
