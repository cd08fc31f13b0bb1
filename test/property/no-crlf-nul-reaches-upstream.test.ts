/**
 * SPEC 5 and 6.4, as a property: CR, LF and NUL from a caller, raw or percent-encoded, in a
 * header, in the query, in a user JWT claim rendered into a header or into the query, or
 * base64-encoded and decoded by a template, never reach the upstream's request head. latchkey
 * either refuses the request (400 invalid_path or invalid_request, 500 template_error for a
 * rendered header value; or Node's HTTP parser refuses raw bytes before latchkey runs) or the
 * upstream's request line and every header name and value are free of them, and the upstream
 * gets exactly one request on its connection: nothing split off into a second one.
 *
 * The upstream is a bare TCP server that records the bytes it gets (an HTTP server would itself
 * refuse a malformed head, hiding what latchkey sent) and answers `Connection: close`, so each
 * upstream connection carries exactly one request.
 */
import { createServer, type Socket } from 'node:net'
import type { AddressInfo } from 'node:net'
import t from 'tap'
import fc from 'fast-check'
import { SignJWT } from 'jose'
import { startGateway } from '../helpers/gateway.js'
import { errorCode, rawExchange } from '../helpers/raw-http.js'
import type { TeardownHost } from '../helpers/redis.js'

const SECRETS = {
  caller_key: 'ck-crlf-property-1b2c3d',
  session_key: 'sk-crlf-property-hs256-0123456789abcdef',
  tok: 'tok-crlf-property-4e5f6a',
}

// ---------------------------------------------------------------------------------------------
// A raw upstream

interface RawUpstream {
  port: number
  /** every connection's bytes (latin1), once it closed */
  connections: string[]
  /** resolves once every connection accepted so far has closed */
  settled (): Promise<void>
}

async function rawUpstream (t: TeardownHost): Promise<RawUpstream> {
  const connections: string[] = []
  const open = new Set<Promise<void>>()
  const sockets = new Set<Socket>()
  const server = createServer((socket) => {
    sockets.add(socket)
    const chunks: Buffer[] = []
    let answered = false
    const closed = new Promise<void>((resolve) => socket.on('close', () => {
      sockets.delete(socket)
      connections.push(Buffer.concat(chunks).toString('latin1'))
      open.delete(closed)
      resolve()
    }))
    open.add(closed)
    socket.on('error', () => {})
    socket.on('data', (chunk: Buffer) => {
      chunks.push(chunk)
      if (!answered && Buffer.concat(chunks).includes('\r\n\r\n')) {
        answered = true
        socket.end('HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\ncontent-length: 2\r\nconnection: close\r\n\r\nok')
      }
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  t.teardown(() => new Promise<void>((resolve) => {
    for (const socket of sockets) socket.destroy()
    server.close(() => resolve())
  }))
  return {
    port: (server.address() as AddressInfo).port,
    connections,
    settled: async () => { await Promise.all([...open]) },
  }
}

const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/

/**
 * What the upstream got on one connection: one request head with a clean request line and
 * clean header lines, and nothing after it (the requests here have no body). Returns the
 * headers (lower-case name, value as written after `: `), or throws with what is wrong.
 */
function checkUpstreamBytes (raw: string): Array<[string, string]> {
  const end = raw.indexOf('\r\n\r\n')
  if (end === -1) throw new Error(`no complete request head: ${JSON.stringify(raw.slice(0, 200))}`)
  const after = raw.slice(end + 4)
  if (after !== '') throw new Error(`bytes after the request head (a second request?): ${JSON.stringify(after.slice(0, 200))}`)
  const [requestLine, ...headerLines] = raw.slice(0, end).split('\r\n')
  if (!/^GET \/base[\x21-\x7e]* HTTP\/1\.1$/.test(requestLine!)) throw new Error(`request line ${JSON.stringify(requestLine)}`)
  return headerLines.map((line) => {
    if (/[\r\n\0]/.test(line)) throw new Error(`CR, LF or NUL in a header line: ${JSON.stringify(line)}`)
    const colon = line.indexOf(':')
    const name = line.slice(0, colon)
    if (colon < 1 || !TOKEN.test(name)) throw new Error(`not a header line: ${JSON.stringify(line)}`)
    return [name.toLowerCase(), line.slice(colon + 1).replace(/^ /, '')]
  })
}

// ---------------------------------------------------------------------------------------------
// Values

/** Text around the control characters, some of it what an injected header would look like. */
const plain = fc.constantFrom('a', 'b', ':', '=', '&', '%', 'X-Injected:yes', '\\r\\n', '%zz')
/** CR, LF and NUL percent-encoded once and twice, in either case, and look-alikes. */
const encoded = fc.constantFrom(
  '%0d', '%0a', '%00', '%0D%0A', '%0d%0a%0d%0a', '%0D', '%0A', '%250d', '%250A', '%2500', '%25%30%64', '%0d%0aX-Injected:%20yes',
  '%E2%80%A8', '%c2%85', '%c4%8d%c4%8a', '%20', '%09',
)
/** Raw control, separator and non-ASCII characters. */
const raw = fc.constantFrom(
  '\r', '\n', '\0', '\r\n', '\n\n', '\r\n\r\n', '\r\r', ' ', '\t', '\r\nX-Injected: yes', 'X-Injected: yes',
  '\u0085', '\u2028', '\u000b', '\u000c', '\x7f', '\u00e9', '\u0100',
)
const valueOf = (weights: { plain: number, encoded: number, raw: number }) => fc.array(fc.oneof(
  { arbitrary: plain, weight: weights.plain },
  { arbitrary: encoded, weight: weights.encoded },
  { arbitrary: raw, weight: weights.raw },
), { minLength: 1, maxLength: 8 }).map((pieces) => pieces.join(''))

/** A value a template renders (claims, base64-decoded text): raw characters are the point. */
const hostile = valueOf({ plain: 2, encoded: 2, raw: 3 })
/** A value on a request line: mostly encoded, since raw bytes there stop at Node's parser. */
const onRequestLine = valueOf({ plain: 4, encoded: 4, raw: 1 })
/**
 * A header value on the wire. A CRLF is the caller's own line end (the next header, or the end
 * of the head), not something inside a value: left out. Bare CR, bare LF and NUL stay in.
 */
const inHeader = valueOf({ plain: 4, encoded: 4, raw: 2 }).filter((v) => !v.includes('\r\n'))

/**
 * What a rendered header value may hold: no CR, LF or NUL (SPEC 5), and only what HTTP can
 * carry (tab, visible ASCII, space, Latin-1). Anything else is 500 template_error.
 */
function sendable (value: string): boolean {
  return /^[\t\x20-\x7e\x80-\xff]*$/.test(value)
}

/**
 * What latchkey must do with `?q=<value>` sent raw, for a value of visible ASCII only: CR, LF
 * or NUL encoded, or a `#`, are 400 invalid_path (SPEC 6.4); a pair with malformed encoding is
 * 400 invalid_request; a decoded `q` that cannot be a header is 500 template_error (it is
 * rendered into X-Q); otherwise the pairs are forwarded as sent (empty ones dropped) and X-Q is
 * the decoded `q`.
 */
function expectedForQuery (value: string): { outcome: string, query?: string, q?: string } {
  if (/[#]|%0[0ad]/i.test(value)) return { outcome: 'invalid_path' }
  const pairs = `q=${value}`.split('&').filter((p) => p !== '')
  const decoded: string[] = []
  try {
    for (const pair of pairs) {
      const eq = pair.indexOf('=')
      decodeURIComponent((eq === -1 ? pair : pair.slice(0, eq)).replace(/\+/g, ' '))
      decoded.push(eq === -1 ? '' : decodeURIComponent(pair.slice(eq + 1).replace(/\+/g, ' ')))
    }
  } catch {
    return { outcome: 'invalid_request' }
  }
  const q = decoded[0]!
  return sendable(q) ? { outcome: 'forwarded', query: pairs.join('&'), q } : { outcome: 'template_error' }
}

interface Answer { status: number, code: string | undefined, text: string }

function parseAnswer (raw: string): Answer {
  const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(raw)?.[1] ?? 0)
  const body = raw.slice(raw.indexOf('\r\n\r\n') + 4)
  return { status, code: errorCode(Buffer.from(body, 'latin1').toString('utf8')), text: raw.slice(0, 300) }
}

/** A request head as bytes (UTF-8), one char per byte for rawExchange. */
function head (lines: string[]): string {
  return Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'utf8').toString('latin1')
}

// ---------------------------------------------------------------------------------------------

t.test('no raw CR, LF or NUL from a caller reaches the upstream request head', async (t) => {
  const upstream = await rawUpstream(t)
  const base = `http://127.0.0.1:${upstream.port}/base`
  const lk = await startGateway(t, `
server: { allow_private_upstreams: true, upstream_timeout: 3s, headers_timeout: 2s, log_level: silent }
callers:
  api_keys:
    svc: { key: "{{ get_secret('caller_key') }}" }
  jwt:
    secret: "{{ get_secret('session_key') }}"
    audience: latchkey
connectors:
  api:
    base_url: ${base}
    headers:
      X-Q: "{{ request.query.q | default('') }}"
      X-B: "{{ request.query.b | default('') | base64_decode }}"
      X-Units: { value: metric, overridable: true }
    auth: { methods: { b: { type: bearer, token: "{{ get_secret('tok') }}" } } }
  claims:
    base_url: ${base}
    headers:
      X-User: "{{ user.name }}"
    query:
      uq: "{{ user.name }}"
    auth: { methods: { b: { type: bearer, token: "{{ get_secret('tok') }}" } } }
connections:
  c: { connector: api, access: { callers: [svc] } }
  u: { connector: claims, access: { users: true } }
`, { secrets: SECRETS })
  const KEY = `X-Latchkey-Key: ${SECRETS.caller_key}`

  type Outcome = { kind: 'forwarded', headers: Array<[string, string]>, requestLine: string } | { kind: 'refused', code: string } | { kind: 'parser' }

  /**
   * Sends one request head and checks the invariant for any answer: a 200 means exactly one
   * clean request reached the upstream; anything else means none did. A 400 without a latchkey
   * error body is Node's HTTP parser refusing the bytes before latchkey saw them.
   */
  const exchange = async (request: string): Promise<Outcome> => {
    const before = upstream.connections.length
    const answer = parseAnswer(await rawExchange(lk.url, request))
    await upstream.settled()
    // An upstream connection latchkey opened and closed without sending anything is not a request.
    const reached = upstream.connections.slice(before).filter((bytes) => bytes !== '')
    if (answer.status === 200) {
      if (reached.length !== 1) throw new Error(`answered 200 after ${reached.length} upstream connections`)
      return { kind: 'forwarded', headers: checkUpstreamBytes(reached[0]!), requestLine: reached[0]!.slice(0, reached[0]!.indexOf('\r\n')) }
    }
    if (reached.length !== 0) throw new Error(`answered ${answer.status}, yet the upstream was called: ${JSON.stringify(reached[0]!.slice(0, 300))}`)
    // Node's parser refusal, answered in latchkey's shape by src/edge/framing.ts answerClientError.
    if (answer.status === 400 && answer.code === 'invalid_request' && answer.text.includes('"message":"malformed request"')) return { kind: 'parser' }
    if (answer.code === undefined) throw new Error(`unexpected answer: ${JSON.stringify(answer.text)}`)
    return { kind: 'refused', code: answer.code }
  }
  const describe = (o: Outcome): string => o.kind === 'refused' ? o.code : o.kind
  const valueOfHeader = (o: Outcome, name: string): string | undefined => o.kind === 'forwarded' ? o.headers.find(([n]) => n === name)?.[1] : undefined
  const headerNames = (o: Outcome): string[] => o.kind === 'forwarded' ? o.headers.map(([n]) => n) : []

  t.test('caller header values', async (t) => {
    const seen: Record<string, number> = {}
    await fc.assert(fc.asyncProperty(fc.constantFrom('x-note', 'x-units', 'x-request-id', 'accept', 'user-agent'), inHeader, async (name, value) => {
      // Connection: close before the hostile line, so a value that ends the head early still ends the exchange.
      const outcome = await exchange(head(['GET /proxy/c/v1 HTTP/1.1', 'Host: latchkey.test', 'Connection: close', KEY, `${name}: ${value}`]))
      // Header hygiene refuses nothing; only the HTTP parser may, and only for bytes outside visible ASCII.
      if (outcome.kind === 'refused' || (outcome.kind === 'parser' && /^[\t\x20-\x7e]*$/.test(value))) {
        throw new Error(`${JSON.stringify(value)} in ${name} was ${describe(outcome)}`)
      }
      seen[outcome.kind] = (seen[outcome.kind] ?? 0) + 1
    }), { numRuns: 250, seed: 0x0d0a0001 })
    t.ok((seen.forwarded ?? 0) > 50, `forwarded ${seen.forwarded}, refused by the HTTP parser ${seen.parser ?? 0}`)
  })

  t.test('query values, forwarded and rendered into a header', async (t) => {
    const seen: Record<string, number> = {}
    await fc.assert(fc.asyncProperty(onRequestLine, async (value) => {
      const outcome = await exchange(head([`GET /proxy/c/v1?q=${value} HTTP/1.1`, 'Host: latchkey.test', 'Connection: close', KEY]))
      if (/[^\x21-\x7e]/.test(value)) {
        // Raw bytes on the request line: Node's parser refuses them, or reads a raw CRLF as the
        // caller's own line end (`GET /x?q=` is an HTTP/0.9 request line to it, and what follows
        // the caller's next header). Either way the upstream head was checked clean above, and a
        // refusal must be one of SPEC 6.5's.
        if (outcome.kind === 'refused' && !['invalid_path', 'invalid_request', 'template_error'].includes(outcome.code)) {
          throw new Error(`q=${JSON.stringify(value)} was ${outcome.code}`)
        }
        seen[`raw: ${describe(outcome)}`] = (seen[`raw: ${describe(outcome)}`] ?? 0) + 1
        return
      }
      const expected = expectedForQuery(value)
      if (describe(outcome) !== expected.outcome) throw new Error(`q=${JSON.stringify(value)} was ${describe(outcome)}, expected ${expected.outcome}`)
      if (outcome.kind === 'forwarded') {
        if (outcome.requestLine !== `GET /base/v1?${expected.query} HTTP/1.1`) throw new Error(`the query was not forwarded as sent: ${outcome.requestLine}`)
        // Latin-1 on the wire, one byte per char.
        if (valueOfHeader(outcome, 'x-q') !== expected.q) throw new Error(`X-Q is ${JSON.stringify(valueOfHeader(outcome, 'x-q'))} for q=${JSON.stringify(value)}`)
        if (headerNames(outcome).includes('x-injected')) throw new Error(`q=${JSON.stringify(value)} injected a header`)
      }
      seen[describe(outcome)] = (seen[describe(outcome)] ?? 0) + 1
    }), { numRuns: 250, seed: 0x0d0a0002 })
    t.ok((seen.forwarded ?? 0) > 20, `outcomes ${JSON.stringify(seen)}`)
  })

  t.test('base64 in the query, decoded by a template into a header', async (t) => {
    const seen: Record<string, number> = {}
    await fc.assert(fc.asyncProperty(hostile, async (value) => {
      const b = Buffer.from(value, 'utf8').toString('base64url')
      const outcome = await exchange(head([`GET /proxy/c/v1?b=${b} HTTP/1.1`, 'Host: latchkey.test', 'Connection: close', KEY]))
      // SPEC 5: exactly the values that cannot be sent as a header are a template_error.
      const expected = sendable(value) ? 'forwarded' : 'template_error'
      if (describe(outcome) !== expected) throw new Error(`${JSON.stringify(value)} was ${describe(outcome)}, expected ${expected}`)
      if (outcome.kind === 'forwarded' && valueOfHeader(outcome, 'x-b') !== value) throw new Error(`X-B is ${JSON.stringify(valueOfHeader(outcome, 'x-b'))}`)
      seen[expected] = (seen[expected] ?? 0) + 1
    }), { numRuns: 250, seed: 0x0d0a0003 })
    t.ok((seen.forwarded ?? 0) > 20 && (seen.template_error ?? 0) > 20, `outcomes ${JSON.stringify(seen)}`)
  })

  t.test('user JWT claims rendered into a header and the query', async (t) => {
    const key = new TextEncoder().encode(SECRETS.session_key)
    const seen: Record<string, number> = {}
    await fc.assert(fc.asyncProperty(hostile, async (name) => {
      const jwt = await new SignJWT({ sub: 'user-1', name }).setProtectedHeader({ alg: 'HS256' }).setAudience('latchkey').setExpirationTime('10m').sign(key)
      const outcome = await exchange(head(['GET /proxy/u/v1 HTTP/1.1', 'Host: latchkey.test', 'Connection: close', `Authorization: Bearer ${jwt}`]))
      const expected = sendable(name) ? 'forwarded' : 'template_error'
      if (describe(outcome) !== expected) throw new Error(`${JSON.stringify(name)} was ${describe(outcome)}, expected ${expected}`)
      if (outcome.kind === 'forwarded') {
        // The claim is one header's value, as it is, and one query value, encoded.
        if (valueOfHeader(outcome, 'x-user') !== name) throw new Error(`X-User is ${JSON.stringify(valueOfHeader(outcome, 'x-user'))}`)
        if (!outcome.requestLine.startsWith(`GET /base/v1?uq=${encodeURIComponent(name)} `)) throw new Error(`request line ${outcome.requestLine}`)
        if (headerNames(outcome).includes('x-injected')) throw new Error(`the claim ${JSON.stringify(name)} injected a header`)
      }
      seen[expected] = (seen[expected] ?? 0) + 1
    }), { numRuns: 250, seed: 0x0d0a0004 })
    t.ok((seen.forwarded ?? 0) > 20 && (seen.template_error ?? 0) > 20, `outcomes ${JSON.stringify(seen)}`)
  })
})
