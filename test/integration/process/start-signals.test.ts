/**
 * SPEC 9 `latchkey start` as a real process: SIGHUP reloads the config (an invalid one is refused
 * and the running one kept), SIGTERM lets an in-flight request finish and exits 0. Log lines are
 * buffered (see logger.ts): every line, up to the last, must still be on stdout when it exits.
 */
import { once } from 'node:events'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import t from 'tap'
import { generateMasterKey } from '../../../src/secrets/master-key.js'
import { startGatewayProcess } from '../../helpers/gateway-process.js'
import { recordingUpstream } from '../../helpers/upstream.js'

t.test('SIGHUP reloads, a bad config is refused, SIGTERM drains and exits 0', async (t) => {
  let release: () => void = () => {}
  const upstream = await recordingUpstream(t, async (req, res) => {
    if (req.url === '/slow') await new Promise<void>((resolve) => { release = resolve })
    res.writeHead(200, { 'content-type': 'text/plain' })
    res.end(`answered ${req.url}`)
  })
  const dir = await mkdtemp(path.join(tmpdir(), 'latchkey-signals-'))
  t.teardown(() => rm(dir, { recursive: true, force: true }))
  const configFile = path.join(dir, 'latchkey.yaml')
  const config = (connections: string) => `
server: { host: 127.0.0.1, port: 0, allow_private_upstreams: true, log_level: info }
store: { type: file, path: ${path.join(dir, 'data')} }
connectors:
  api: { base_url: "${upstream.url}", auth: { default: none, methods: { none: { type: none } } } }
connections:
${connections}
`
  await writeFile(configFile, config('  first: { connector: api, access: { anonymous: true } }'))
  const gw = await startGatewayProcess(t, configFile, { LATCHKEY_MASTER_KEY: generateMasterKey() }, dir)
  let sent = 0
  const status = async (p: string) => {
    sent++
    const res = await fetch(`${gw.url}${p}`)
    await res.arrayBuffer()
    return res.status
  }
  const waitForLog = async (msg: string) => {
    for (let i = 0; i < 100; i++) {
      if (gw.logs.some((line) => line.includes(`"msg":"${msg}"`))) return true
      await sleep(50)
    }
    return false
  }

  t.equal(await status('/proxy/first/a'), 200)
  t.equal(await status('/proxy/second/a'), 404, 'not configured yet')

  await writeFile(configFile, config(`  first: { connector: api, access: { anonymous: true } }
  second: { connector: api, access: { anonymous: true } }`))
  gw.child.kill('SIGHUP')
  let seen = 404
  for (let i = 0; i < 100 && seen !== 200; i++) {
    await sleep(50)
    seen = await status('/proxy/second/a')
  }
  t.equal(seen, 200, 'SIGHUP picked up the new connection')

  await writeFile(configFile, 'connections: [this is not a map')
  gw.child.kill('SIGHUP')
  t.ok(await waitForLog('reload refused: keeping the running configuration'), 'the refusal is logged')
  t.equal(await status('/proxy/second/a'), 200, 'the running configuration is kept')

  sent++
  const inFlight = fetch(`${gw.url}/proxy/first/slow`)
  while (!upstream.received.some((r) => r.url === '/slow')) await sleep(10)
  const exited = once(gw.child, 'exit')
  gw.child.kill('SIGTERM')
  t.ok(await waitForLog('shutting down'))
  await sleep(100)
  t.equal(gw.child.exitCode, null, 'still running while a request is in flight')
  release()
  const released = performance.now()
  const res = await inFlight
  t.equal(res.status, 200)
  t.equal(await res.text(), 'answered /slow', 'the in-flight request finished')
  const [code] = await exited as [number | null]
  t.equal(code, 0, 'exit code 0')
  // The fetch keeps its connection alive; that idle connection must not hold the process until
  // the 30 s drain limit (it did, before close() swept idle connections).
  t.ok(performance.now() - released < 10_000, 'exits once the last request is done, not at the drain limit')
  // stdout may still be draining into the pipe after 'exit'.
  await sleep(100)
  const access = gw.logs.map((line) => JSON.parse(line) as { msg?: string, connection?: string, status?: number })
    .filter((entry) => entry.msg === 'request')
  t.ok(access.some((entry) => entry.connection === 'first' && entry.status === 200 && upstream.received.length > 0),
    'the drained request\'s access line was flushed before exit')
  t.equal(access.length, sent, 'one access line per request, none lost')
})
