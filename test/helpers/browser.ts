/**
 * Browser tests drive Debian's chromium through playwright-core (no downloaded browser), and
 * land on a local return_to page server whose origin the gateway is configured to trust.
 */
import { existsSync } from 'node:fs'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { chromium, type Browser } from 'playwright-core'
import type { TeardownHost } from './redis.js'

const CHROMIUM = '/usr/bin/chromium'

export async function launchBrowser (t: TeardownHost): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error(`browser tests need ${CHROMIUM}: run \`apt-get install chromium\``)
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'] })
  t.teardown(() => browser.close())
  return browser
}

export interface ReturnPage {
  origin: string
  /** every URL (path and query) the browser landed on */
  visits: string[]
}

/** The app a connect flow returns to: answers every GET with a small page. */
export async function returnPageServer (t: TeardownHost): Promise<ReturnPage> {
  const visits: string[] = []
  const server = createServer((req, res) => {
    visits.push(req.url ?? '')
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end('<!doctype html><title>Back in the app</title><h1>Back in the app</h1>')
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  t.teardown(() => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()) }))
  return { origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, visits }
}
