/**
 * The bench's upstream, in a process of its own: a fast keep-alive HTTP server answering a small
 * JSON body, an echo route (to check what a proxy injected), streaming upload and download, and a
 * fake OAuth token endpoint that counts token requests per client.
 *
 *   GET  /v1/echo          -> the request headers as JSON
 *   GET  /stream/download?mb=N -> N MiB of bytes, streamed with back-pressure
 *   POST /stream/upload    -> {"bytes": n} once the whole body is read
 *   POST /token[?delay_ms=N] -> {"access_token", "expires_in": 3600}; counted by client_id
 *   GET  /__stats          -> {"tokens": {"<client>": n}}
 *   anything else          -> a small JSON body
 *
 * Prints one JSON line `{"port": N}` on stdout once listening.
 */
import { createServer } from 'node:http'

const BODY = Buffer.from(JSON.stringify({ ok: true, items: [{ id: 1, name: 'alpha' }, { id: 2, name: 'beta' }] }))
const CHUNK = Buffer.alloc(64 * 1024, 0x61)
const tokens = Object.create(null)
let issued = 0

const server = createServer((req, res) => {
  const url = req.url ?? '/'
  if (url.startsWith('/token')) return token(req, res, url)
  if (url.startsWith('/stream/upload')) return upload(req, res)
  if (url.startsWith('/stream/download')) return download(res, url)
  if (url.startsWith('/v1/echo')) return json(res, 200, Buffer.from(JSON.stringify({ headers: req.headers, url })))
  if (url === '/__stats') return json(res, 200, Buffer.from(JSON.stringify({ tokens })))
  // Drain any body so the connection stays reusable.
  req.resume()
  json(res, 200, BODY)
})
server.keepAliveTimeout = 65_000
server.headersTimeout = 66_000
server.requestTimeout = 0

function json (res, status, body) {
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': body.length })
  res.end(body)
}

function token (req, res, url) {
  const chunks = []
  req.on('data', (c) => chunks.push(c))
  req.on('end', () => {
    const form = new URLSearchParams(Buffer.concat(chunks).toString('utf8'))
    const client = form.get('client_id') ?? (form.get('grant_type')?.endsWith('jwt-bearer') ? 'jwt-bearer' : 'basic')
    tokens[client] = (tokens[client] ?? 0) + 1
    const delay = Number(new URL(url, 'http://x').searchParams.get('delay_ms') ?? 0)
    const answer = () => json(res, 200, Buffer.from(JSON.stringify({ access_token: `tok-${++issued}-${client}`, token_type: 'Bearer', expires_in: 3600 })))
    if (delay > 0) setTimeout(answer, delay)
    else answer()
  })
}

function upload (req, res) {
  let bytes = 0
  req.on('data', (c) => { bytes += c.length })
  req.on('end', () => json(res, 200, Buffer.from(JSON.stringify({ bytes }))))
}

function download (res, url) {
  const mb = Number(new URL(url, 'http://x').searchParams.get('mb') ?? 1)
  let left = mb * 1024 * 1024
  res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': left })
  const pump = () => {
    while (left > 0) {
      const n = Math.min(left, CHUNK.length)
      left -= n
      if (!res.write(n === CHUNK.length ? CHUNK : CHUNK.subarray(0, n))) return res.once('drain', pump)
    }
    res.end()
  }
  pump()
}

server.listen({ port: 0, host: '127.0.0.1', backlog: 4096 }, () => {
  process.stdout.write(JSON.stringify({ port: server.address().port }) + '\n')
})
process.on('SIGTERM', () => process.exit(0))
