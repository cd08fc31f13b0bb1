/**
 * The soak's far side, in the soak's own process so the fault switches are plain flags: a
 * recording upstream that checks the credential latchkey injected on every request, and a token
 * endpoint (client credentials, JWT bearer) with short token lifetimes. Both listen on loopback.
 */
import { createVerify } from 'node:crypto'
import { createServer } from 'node:http'
import { LOOPBACK } from './lib-proc.mjs'

/**
 * Keep-alive hint of both servers (`Keep-Alive: timeout=20`). undici, in latchkey, closes an idle
 * socket at the hint minus 2 s, so latchkey's pools to these servers empty 18 s after the traffic
 * stops: under latchkey's own 30 s default and short enough for the soak to wait it out.
 */
const KEEP_ALIVE_MS = 20_000

function listen (server) {
  server.keepAliveTimeout = KEEP_ALIVE_MS
  server.headersTimeout = KEEP_ALIVE_MS + 1000
  server.requestTimeout = 0
  return new Promise((resolve) => server.listen({ port: 0, host: LOOPBACK, backlog: 1024 }, () => resolve(server.address().port)))
}

function readBody (req) {
  return new Promise((resolve, reject) => {
    const chunks = []
    req.on('data', (c) => chunks.push(c))
    req.on('end', () => resolve(Buffer.concat(chunks)))
    req.on('error', reject)
  })
}

function json (res, status, value) {
  const body = Buffer.from(JSON.stringify(value))
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': body.length })
  res.end(body)
}

// ---------------------------------------------------------------------------------------------
// upstream

/** Bytes a mid-body reset promises in content-length and never sends. */
const NEVER_SENT = 2048

/**
 * Base URLs are `http://127.0.0.1:<port>/u/<connection>`, so the upstream knows which connection
 * a request came through and asks `check(connection, request)` whether it carries the right
 * credential. The answer says what it saw: `{ conn, verdict, bytes }`, verdict "ok" or the
 * reason (never a value), for the driver to count.
 *
 * While `faults.reset` is on, every 4th request's socket is destroyed before any answer
 * (latchkey: 502 upstream_unreachable) and every 4th request, when a GET, after its headers and
 * part of its body (latchkey has relayed the head: it must cut the caller's response).
 */
export async function startUpstream ({ check }) {
  const stats = { requests: 0, resetBefore: 0, resetMidBody: 0 }
  const faults = { reset: false }
  const server = createServer(async (req, res) => {
    const n = stats.requests++
    if (faults.reset && n % 4 === 0) {
      stats.resetBefore++
      return req.socket.destroy()
    }
    const url = new URL(req.url, 'http://upstream')
    const [, u, conn] = url.pathname.split('/')
    const body = await readBody(req).catch(() => undefined)
    if (body === undefined) return
    if (u !== 'u') return json(res, 404, { conn: null, verdict: 'no /u/<connection> prefix' })
    const verdict = checked(check, conn, { method: req.method, url, headers: req.headers, body })
    const answer = { conn, verdict, bytes: body.length }
    if (faults.reset && n % 4 === 1 && req.method === 'GET') {
      stats.resetMidBody++
      const head = Buffer.from(JSON.stringify(answer))
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': head.length + NEVER_SENT })
      return res.write(head, () => req.socket.destroy())
    }
    json(res, 200, answer)
  })
  const port = await listen(server)
  return { port, origin: `http://${LOOPBACK}:${port}`, stats, faults, close: () => closeServer(server) }
}

/** A check that throws (a malformed header it could not parse) is a failed check, not a crash. */
function checked (check, conn, request) {
  try {
    return check(conn, request) ?? 'ok'
  } catch {
    return 'the credential could not be parsed'
  }
}

// ---------------------------------------------------------------------------------------------
// token endpoint

/**
 * `POST /token`: `client_credentials` (client id and secret in the body or HTTP Basic) and the
 * RFC 7523 `jwt-bearer` grant (assertion signature and claims checked with the public key).
 * A wrong credential is a 401/400, so latchkey sending the wrong one shows up as an error.
 * Tokens are `soak-<n>`, remembered with their client and issue time, so the upstream can check
 * that a token is one this endpoint issued, for the right client, and not past its life.
 * While `faults.fail` is on every request is answered 500 `server_error`.
 *
 * clients: { <client_id>: { secret?, publicKey?, subject?, audience?, expiresIn } }
 */
export async function startTokenEndpoint ({ clients }) {
  const stats = { requests: 0, issued: 0, failedByFault: 0, refused: 0, byClient: {} }
  const faults = { fail: false }
  const issued = new Map()
  const latest = {}
  const server = createServer(async (req, res) => {
    const body = await readBody(req).catch(() => undefined)
    if (body === undefined) return
    stats.requests++
    if (faults.fail) {
      stats.failedByFault++
      return json(res, 500, { error: 'server_error' })
    }
    const form = new URLSearchParams(body.toString('utf8'))
    const { client, problem } = authenticate(clients, form, req.headers.authorization)
    if (problem !== undefined) {
      stats.refused++
      return json(res, problem.status, { error: problem.error })
    }
    stats.byClient[client] = (stats.byClient[client] ?? 0) + 1
    const token = `soak-${++stats.issued}`
    const expiresIn = clients[client].expiresIn
    issued.set(token, latest[client] = { client, issuedAt: Date.now(), expiresIn })
    json(res, 200, { access_token: token, token_type: 'Bearer', expires_in: expiresIn })
  })
  const port = await listen(server)
  return {
    port,
    url: `http://${LOOPBACK}:${port}/token`,
    stats,
    faults,
    /** What the endpoint knows of `token`, or undefined when it never issued it. */
    lookup: (token) => issued.get(token),
    /** When the last token issued to `client` stops being usable (SPEC 7.1: expires_in - 60 s). */
    usableUntil: (client) => latest[client] === undefined ? undefined : latest[client].issuedAt + (latest[client].expiresIn - 60) * 1000,
    close: () => closeServer(server),
  }
}

function authenticate (clients, form, authorization) {
  const grant = form.get('grant_type')
  if (grant === 'client_credentials') {
    let id = form.get('client_id')
    let secret = form.get('client_secret')
    if (authorization?.startsWith('Basic ')) {
      [id, secret] = Buffer.from(authorization.slice(6), 'base64').toString('utf8').split(':')
    }
    const client = clients[id]
    if (client?.secret === undefined || client.secret !== secret) return { problem: { status: 401, error: 'invalid_client' } }
    return { client: id }
  }
  if (grant === 'urn:ietf:params:oauth:grant-type:jwt-bearer') {
    const claims = verifyRs256(form.get('assertion') ?? '', (iss) => clients[iss]?.publicKey)
    const client = claims === undefined ? undefined : clients[claims.iss]
    const now = Date.now() / 1000
    const good = client !== undefined && claims.sub === client.subject && claims.aud === client.audience &&
      claims.exp - claims.iat === 180 && claims.exp > now && claims.iat <= now + 5
    return good ? { client: claims.iss } : { problem: { status: 400, error: 'invalid_grant' } }
  }
  return { problem: { status: 400, error: 'unsupported_grant_type' } }
}

/** The claims of an RS256 compact JWS whose signature checks with `keyFor(iss)`, else undefined. */
export function verifyRs256 (jws, keyFor) {
  const parts = jws.split('.')
  if (parts.length !== 3) return undefined
  try {
    const header = JSON.parse(Buffer.from(parts[0], 'base64url').toString('utf8'))
    const claims = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8'))
    const key = keyFor(claims.iss)
    if (header.alg !== 'RS256' || key === undefined) return undefined
    const ok = createVerify('RSA-SHA256').update(`${parts[0]}.${parts[1]}`).verify(key, Buffer.from(parts[2], 'base64url'))
    return ok ? claims : undefined
  } catch {
    return undefined
  }
}

function closeServer (server) {
  return new Promise((resolve) => {
    server.close(() => resolve())
    server.closeAllConnections()
  })
}
