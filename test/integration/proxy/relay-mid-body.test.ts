/**
 * The pass-through relay after the response head is sent: an upstream that dies mid-body cuts
 * the caller's response (never a silently short 200 that looks complete) and the gateway keeps
 * serving; a caller that goes away mid-body stops the upstream request; a slow caller pauses
 * the upstream instead of being buffered for.
 */
import http from 'node:http'
import t from 'tap'
import { startGateway } from '../../helpers/gateway.js'
import { recordingUpstream } from '../../helpers/upstream.js'

t.test('failures after the response head', async (t) => {
  let closedEarly: (() => void) | undefined
  const upstreamClosed = new Promise<void>((resolve) => { closedEarly = resolve })
  let written = 0
  const upstream = await recordingUpstream(t, (req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname
    if (path === '/dies') {
      res.writeHead(200, { 'content-type': 'text/plain', 'content-length': '1000' })
      res.write('first part,')
      setTimeout(() => req.socket.destroy(), 50)
      return
    }
    if (path === '/endless') {
      res.writeHead(200, { 'content-type': 'application/octet-stream' })
      const chunk = Buffer.alloc(64 * 1024, 0x61)
      const pump = (): void => {
        while (!res.destroyed && written < 256 * 1024 * 1024) {
          written += chunk.length
          if (!res.write(chunk)) return void res.once('drain', pump)
        }
      }
      res.once('close', () => { if (!res.writableFinished) closedEarly!() })
      pump()
      return
    }
    res.writeHead(200, { 'content-type': 'text/plain' }).end('ok')
  })
  const lk = await startGateway(t, `
server: { allow_private_upstreams: true }
connectors:
  api:
    base_url: ${upstream.url}
    auth: { methods: { none: { type: none } } }
connections:
  api: { connector: api, access: { anonymous: true } }
`)

  await t.test('an upstream dying mid-body cuts the caller response', async (t) => {
    const res = await lk.fetch('/proxy/api/dies')
    t.equal(res.status, 200, 'the head was already sent')
    await t.rejects(res.text(), 'reading the body fails: the response is cut, not shortened')
    const next = await lk.fetch('/proxy/api/fine')
    t.equal(next.status, 200, 'the gateway keeps serving')
    t.equal(await next.text(), 'ok')
  })

  await t.test('a caller going away mid-body stops the upstream request', async (t) => {
    const { port } = new URL(lk.url)
    await new Promise<void>((resolve, reject) => {
      const req = http.get({ host: '127.0.0.1', port, path: '/proxy/api/endless' }, (res) => {
        let seen = 0
        res.on('data', (c: Buffer) => {
          seen += c.length
          if (seen > 1024 * 1024) {
            req.destroy()
            resolve()
          }
        })
      })
      req.on('error', () => {})
      req.on('close', resolve)
      setTimeout(() => reject(new Error('no data')), 5000).unref()
    })
    const timeout = new Promise<string>((resolve) => setTimeout(() => resolve('still sending'), 3000).unref())
    t.equal(await Promise.race([upstreamClosed.then(() => 'closed'), timeout]), 'closed', 'the upstream response was closed')
    t.ok(written < 64 * 1024 * 1024, `the upstream was paused, not drained into memory (${(written / 1048576).toFixed(1)} MiB written)`)
  })
})
