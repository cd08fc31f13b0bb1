/**
 * The Node ceiling: what a proxy costs in Node with no framework and no checks. A `node:http`
 * server and one undici Pool with keep-alive to the upstream; it copies the request headers,
 * adds one, and pipes the body both ways. latchkey's numbers are read as ratios to this process
 * (issue 11: the data plane should run at 0.9x of it).
 *
 *   node bench/node-ceiling.mjs <upstream origin>
 *
 * Prints one JSON line `{"address": "http://127.0.0.1:N"}` on stdout once listening.
 */
import http from 'node:http'
import { Pool } from 'undici'

const upstream = process.argv[2]
if (upstream === undefined) throw new Error('usage: node-ceiling.mjs <upstream origin>')
const pool = new Pool(upstream, { connections: 256, pipelining: 1, keepAliveTimeout: 60_000 })
const HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'te', 'upgrade', 'proxy-connection', 'host', 'expect'])

const server = http.createServer((req, res) => {
  const headers = { 'x-bench-proxy': 'ceiling' }
  for (const [name, value] of Object.entries(req.headers)) if (!HOP.has(name)) headers[name] = value
  const hasBody = req.headers['content-length'] !== undefined || req.headers['transfer-encoding'] !== undefined
  pool.stream({ method: req.method, path: req.url, headers, body: hasBody ? req : null }, ({ statusCode, headers: answer }) => {
    const out = {}
    for (const [name, value] of Object.entries(answer)) if (!HOP.has(name)) out[name] = value
    res.writeHead(statusCode, out)
    return res
  }, (err) => {
    if (err === null) return
    if (!res.headersSent) res.writeHead(502).end()
    else res.destroy(err)
  })
})
server.keepAliveTimeout = 65_000
server.headersTimeout = 66_000
server.requestTimeout = 0
server.listen({ port: 0, host: '127.0.0.1', backlog: 4096 }, () => {
  process.stdout.write(JSON.stringify({ address: `http://127.0.0.1:${server.address().port}` }) + '\n')
})
process.on('SIGTERM', () => { server.close(); pool.close().finally(() => process.exit(0)) })
