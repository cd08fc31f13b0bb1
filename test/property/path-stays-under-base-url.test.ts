/**
 * SPEC 6.4, as a property: whatever path a caller sends after `/proxy/<connection>`, latchkey
 * either refuses it with 400 invalid_path or forwards it to the base URL's origin, under the
 * base URL's path, with no `..` segment in any form an upstream might decode it to.
 *
 * Paths are built from the pieces attackers use: dot segments raw and percent-encoded up to
 * three times (either only the `%` or every byte re-encoded, hex digits in either case), `/` and
 * `\` raw and encoded, overlong UTF-8 (`%c0%ae`), full-width and compatibility dots and slashes
 * (raw and encoded), `;` parameters, `//`, `@`, `:`, `#`, `?`, malformed escapes.
 *
 * End to end the request line goes on a socket byte for byte (fetch and node:http normalise or
 * refuse some of these), and the recording upstream reports the request target it got. The
 * unit-level property runs the same kind of paths through checkForwardPath many more times.
 */
import t from 'tap'
import fc from 'fast-check'
import { GatewayError } from '../../src/errors.js'
import { checkForwardPath } from '../../src/proxy/path-safety.js'
import { startGateway } from '../helpers/gateway.js'
import { errorCode, rawExchange } from '../helpers/raw-http.js'
import { recordingUpstream } from '../helpers/upstream.js'

// ---------------------------------------------------------------------------------------------
// The path arbitrary

/** Percent-encodes every UTF-8 byte of `text`. */
function encodeAll (text: string, upper: boolean): string {
  let out = ''
  for (const byte of Buffer.from(text, 'utf8')) {
    const hex = byte.toString(16).padStart(2, '0')
    out += `%${upper ? hex.toUpperCase() : hex}`
  }
  return out
}

/**
 * `char` percent-encoded `depth` times. Each further level re-encodes either only the `%` signs
 * (`%2e` -> `%252e`, the usual double encoding) or every byte (`%2e` -> `%25%32%65`).
 */
function encodeNested (char: string, levels: ReadonlyArray<{ all: boolean, upper: boolean }>): string {
  let text = char
  levels.forEach(({ all, upper }, i) => {
    text = i === 0 || all ? encodeAll(text, upper) : text.replace(/%/g, '%25')
  })
  return text
}

/** Characters that matter to a path once decoded, and some that NFKC folds into them. */
const SIGNIFICANT = [
  '.', '/', '\\', '#', '?', '@', ':', ';', '%', 'a', '~', ' ', '\t', '\0', '\r', '\n',
  '\uff0e', // FULLWIDTH FULL STOP -> .
  '\uff0f', // FULLWIDTH SOLIDUS -> /
  '\uff3c', // FULLWIDTH REVERSE SOLIDUS -> \
  '\u2024', // ONE DOT LEADER -> .
  '\u2025', // TWO DOT LEADER -> ..
  '\ufe52', // SMALL FULL STOP -> .
  '\ufe68', // SMALL REVERSE SOLIDUS -> \
  '\uff20', // FULLWIDTH COMMERCIAL AT -> @
  '\uff03', // FULLWIDTH NUMBER SIGN -> #
  '\u00e9',
]

const encodedChar = fc.record({
  char: fc.constantFrom(...SIGNIFICANT),
  levels: fc.array(fc.record({ all: fc.boolean(), upper: fc.boolean() }), { minLength: 1, maxLength: 3 }),
}).map(({ char, levels }) => encodeNested(char, levels))

/** Overlong and otherwise invalid UTF-8 for `.`, `/`, `\`, once or twice encoded. */
const overlong = fc.constantFrom(
  '%c0%ae', '%C0%AE', '%c0%2e', '%e0%80%ae', '%f0%80%80%ae', '%c0%af', '%e0%80%af', '%c1%9c', '%c1%1c',
  '%25c0%25ae', '%25C0%25AF', '%c0', '%ae', '%ff%fe', '%ed%a0%80',
)

/** Raw pieces that are meaningful on their own. */
const rawPiece = fc.constantFrom(
  '.', '..', '...', '/', '//', '/', '/', ';', ';a=b', '..;', '@', ':', 'http:', '#', '?', '?x=1', 'a', 'b', 'x',
  'v1', '-', '_', '~', '%', '%z', '%2', 'a..b', '.a', '+',
)

/** A segment of dots in any form, with encoded whitespace or `;` in between or around, and its `/`. */
const dottySegment = fc.array(fc.oneof(
  { arbitrary: fc.constant('.'), weight: 4 },
  { arbitrary: fc.record({ char: fc.constantFrom('.', '\uff0e', '\u2024'), levels: fc.array(fc.record({ all: fc.boolean(), upper: fc.boolean() }), { minLength: 1, maxLength: 3 }) })
    .map(({ char, levels }) => encodeNested(char, levels)), weight: 3 },
  { arbitrary: fc.constantFrom('%20', '%09', '%0b', '%0c', '%a0', '%2509', ';', '%3b', '%c0%ae'), weight: 2 },
), { minLength: 1, maxLength: 4 }).map((parts) => `${parts.join('')}/`)

/** Raw non-ASCII: not valid on a request line, but must never be forwarded either. */
const rawUnicode = fc.constantFrom('\uff0e', '\uff0f', '\uff3c', '\u2025', '\u00e9', '\u3002')

/** Raw whitespace and controls: only for the unit-level property (they break a request line). */
const rawControl = fc.constantFrom(' ', '\t', '\0', '\r', '\n', '\x7f', '\x0b')

/** `extra`: more kinds of pieces, weighted against raw 30, encoded 25 and overlong 5. */
function pathArbitrary (extra: Array<fc.WeightedArbitrary<string>>): fc.Arbitrary<string> {
  const piece = fc.oneof(
    { arbitrary: rawPiece, weight: 30 },
    { arbitrary: encodedChar, weight: 25 },
    { arbitrary: overlong, weight: 5 },
    { arbitrary: dottySegment, weight: 5 },
    ...extra,
  )
  return fc.array(piece, { maxLength: 14 }).map((pieces) => `/${pieces.join('')}`)
}

// ---------------------------------------------------------------------------------------------
// Oracles: what "stays under the base URL" means, independent of latchkey's own code

/** `%XX` to one byte each, other characters as their UTF-8 bytes (one per char of a latin1 string). */
function percentToBytes (text: string): Buffer {
  const latin1 = Buffer.from(text, 'utf8').toString('latin1')
  return Buffer.from(latin1.replace(/%([0-9a-fA-F]{2})/g, (_m, hex: string) => String.fromCharCode(parseInt(hex, 16))), 'latin1')
}

/** Decoded once and read as UTF-8 (U+FFFD for invalid bytes), as a strict decoder would. */
function decodeOnce (text: string): string {
  return percentToBytes(text).toString('utf8')
}

/** As decodeOnce, but with a lenient UTF-8 reader that accepts overlong 2- and 3-byte forms. */
function decodeOnceOverlong (text: string): string {
  const bytes = percentToBytes(text)
  let out = ''
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!
    const c1 = bytes[i + 1] ?? 0
    const c2 = bytes[i + 2] ?? 0
    if (b >= 0xc0 && b < 0xe0 && (c1 & 0xc0) === 0x80) {
      out += String.fromCharCode(((b & 0x1f) << 6) | (c1 & 0x3f))
      i += 1
    } else if (b >= 0xe0 && b < 0xf0 && (c1 & 0xc0) === 0x80 && (c2 & 0xc0) === 0x80) {
      out += String.fromCharCode(((b & 0x0f) << 12) | ((c1 & 0x3f) << 6) | (c2 & 0x3f))
      i += 2
    } else {
      out += String.fromCharCode(b)
    }
  }
  return out
}

/** Every form an upstream or a proxy in front of it might turn the path into. */
function decodedForms (path: string): string[] {
  const once = decodeOnce(path)
  const twice = decodeOnce(once)
  const forms = [path, once, twice, decodeOnceOverlong(path), decodeOnceOverlong(decodeOnce(path))]
  return [...forms, ...forms.map((f) => f.normalize('NFKC'))]
}

function dotDotForm (path: string): string | undefined {
  return decodedForms(path).find((form) => form.split(/[/\\]/).includes('..'))
}

function withoutQuery (sent: string): string {
  const q = sent.indexOf('?')
  return q === -1 ? sent : sent.slice(0, q)
}

/** A query latchkey cannot decode (SPEC 6.5: 400 invalid_request, whatever the path). */
function malformedQuery (sent: string): boolean {
  const q = sent.indexOf('?')
  if (q === -1) return false
  return sent.slice(q + 1).split('&').some((pair) => pair.split('=').some((part) => {
    try {
      decodeURIComponent(part.replace(/\+/g, ' '))
      return false
    } catch {
      return true
    }
  }))
}

function underBase (pathname: string, basePath: string): boolean {
  return pathname === basePath || pathname.startsWith(`${basePath}/`)
}

// ---------------------------------------------------------------------------------------------
// Unit level: checkForwardPath

const UNIT_BASE = 'http://127.0.0.1:9/base'

t.test('checkForwardPath: every path it accepts stays under the base URL in every decoded form', async (t) => {
  const arbitrary = pathArbitrary([{ arbitrary: rawUnicode, weight: 3 }, { arbitrary: rawControl, weight: 3 }])
  let accepted = 0
  let refused = 0
  fc.assert(fc.property(arbitrary, (sent) => {
    // As the route does: the query is split off before the path is checked.
    const path = withoutQuery(sent)
    let result: ReturnType<typeof checkForwardPath>
    try {
      result = checkForwardPath(path)
    } catch (err) {
      // The only way to refuse is invalid_path (400), never another exception.
      if (!(err instanceof GatewayError) || err.code !== 'invalid_path' || err.status !== 400) throw err
      refused++
      return
    }
    accepted++
    if (result.path !== path) throw new Error(`forwarded ${JSON.stringify(result.path)} instead of the path as sent`)
    const url = new URL(UNIT_BASE + path)
    if (url.origin !== 'http://127.0.0.1:9') throw new Error(`origin moved to ${url.origin}`)
    if (!underBase(url.pathname, '/base')) throw new Error(`resolved to ${url.pathname}, outside /base`)
    const dotted = dotDotForm(path)
    if (dotted !== undefined) throw new Error(`a decoded form has a .. segment: ${JSON.stringify(dotted)}`)
  }), { numRuns: 20_000, seed: 0x6c617463 })
  // The arbitrary must exercise both outcomes, or the property says little.
  t.ok(accepted > 1000, `accepted ${accepted}`)
  t.ok(refused > 1000, `refused ${refused}`)
})

// Found by this property: `/%09../x` passed, and decoded once it is `\t..`, which a WHATWG
// URL parser reads as `..` (it strips tabs). A decoded TAB is now refused.
t.test('checkForwardPath: an accepted path decoded once and re-parsed as a URL stays under the base URL',
  async (t) => {
    const arbitrary = pathArbitrary([{ arbitrary: rawUnicode, weight: 3 }, { arbitrary: rawControl, weight: 3 }])
    const result = fc.check(fc.property(arbitrary, (sent) => {
      const path = withoutQuery(sent)
      try {
        checkForwardPath(path)
      } catch {
        return true
      }
      // A proxy that decodes once, then an upstream that parses the result as a WHATWG URL
      // (which also reads %2e as a dot: the twice-decoded check covers that).
      let url: URL
      try {
        url = new URL(UNIT_BASE + decodeOnce(path))
      } catch {
        return true
      }
      return url.origin === 'http://127.0.0.1:9' && underBase(url.pathname, '/base')
    }), { numRuns: 20_000, seed: 0x6c617463 })
    if (result.failed) t.fail(fc.defaultReportMessage(result) ?? 'property failed')
    else t.pass('no counterexample')
  })

// ---------------------------------------------------------------------------------------------
// End to end: a real gateway, a recording upstream, request lines sent byte for byte

interface Answer { status: number, code: string | undefined, body: string }

/** The status and (de-chunked) body of one HTTP/1.1 response read to the end of the connection. */
function parseAnswer (raw: string): Answer {
  const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(raw)?.[1] ?? 0)
  const split = raw.indexOf('\r\n\r\n')
  const head = raw.slice(0, split)
  let body = raw.slice(split + 4)
  if (/\r\ntransfer-encoding: *chunked/i.test(head)) {
    let out = ''
    for (let at = 0; ;) {
      const eol = body.indexOf('\r\n', at)
      const size = parseInt(body.slice(at, eol), 16)
      if (!(size > 0)) break
      out += body.slice(eol + 2, eol + 2 + size)
      at = eol + 2 + size + 2
    }
    body = out
  }
  const text = Buffer.from(body, 'latin1').toString('utf8')
  return { status, code: errorCode(text), body: text }
}

t.test('through the gateway: 400 invalid_path, or forwarded to the base origin under the base path', async (t) => {
  const upstream = await recordingUpstream(t)
  const lk = await startGateway(t, `
server: { allow_private_upstreams: true, log_level: silent }
connectors:
  api:
    base_url: ${upstream.url}/base
    auth: { methods: { b: { type: bearer, token: "{{ get_secret('tok') }}" } } }
connections:
  open: { connector: api, access: { anonymous: true } }
`, { secrets: { tok: 'tok-path-property-0001' } })

  const counts = { forwarded: 0, invalidPath: 0, badQuery: 0, parserRefused: 0 }
  await fc.assert(fc.asyncProperty(pathArbitrary([{ arbitrary: rawUnicode, weight: 1 }]), async (sent) => {
    const before = upstream.received.length
    // UTF-8 bytes on the wire, one char per byte for rawExchange's latin1 write.
    const head = Buffer.from(`GET /proxy/open${sent} HTTP/1.1\r\nHost: latchkey.test\r\nConnection: close\r\n\r\n`, 'utf8').toString('latin1')
    const answer = parseAnswer(await rawExchange(lk.url, head))
    const reached = upstream.received.slice(before)

    if (answer.status === 400 && answer.code === 'invalid_path') {
      if (reached.length !== 0) throw new Error('refused with invalid_path, yet the upstream was called')
      counts.invalidPath++
      return
    }
    if (answer.status === 400 && answer.code === 'invalid_request' && malformedQuery(sent)) {
      if (reached.length !== 0) throw new Error('refused with invalid_request, yet the upstream was called')
      counts.badQuery++
      return
    }
    if (answer.status === 400 && answer.code === 'invalid_request' && /[^\x00-\x7f]/.test(sent)) {
      // Raw non-ASCII on the request line: Node's HTTP parser refuses it before latchkey runs
      // (answered in latchkey's error shape by src/edge/framing.ts).
      if (reached.length !== 0) throw new Error('refused by the HTTP parser, yet the upstream was called')
      counts.parserRefused++
      return
    }
    if (answer.status !== 200) throw new Error(`neither refused with invalid_path nor forwarded: ${answer.status} ${answer.body.slice(0, 200)}`)
    if (reached.length !== 1) throw new Error(`answered 200 after ${reached.length} upstream requests`)
    counts.forwarded++
    const got = reached[0]!
    const q = got.url.indexOf('?')
    const gotPath = q === -1 ? got.url : got.url.slice(0, q)
    const sentPath = withoutQuery(sent)
    if (gotPath !== `/base${sentPath}`) throw new Error(`forwarded ${JSON.stringify(gotPath)}, not the path as sent under /base`)
    if (!underBase(gotPath, '/base')) throw new Error(`forwarded ${JSON.stringify(gotPath)}, outside /base`)
    if (got.headers.host !== `127.0.0.1:${upstream.port}`) throw new Error(`Host ${got.headers.host}`)
    // What the upstream's own URL parser makes of it (WHATWG: %2e%2e and \ count as dot segments and slashes).
    const resolved = new URL(got.url, upstream.origin)
    if (resolved.origin !== upstream.origin) throw new Error(`resolves to origin ${resolved.origin}`)
    if (!underBase(resolved.pathname, '/base')) throw new Error(`resolves to ${resolved.pathname}, outside /base`)
    const dotted = dotDotForm(gotPath)
    if (dotted !== undefined) throw new Error(`forwarded path decodes to a .. segment: ${JSON.stringify(dotted)}`)
  }), { numRuns: 300, seed: 0x62617365 })
  t.ok(counts.forwarded > 30, `forwarded ${counts.forwarded}`)
  t.ok(counts.invalidPath > 30, `refused with invalid_path ${counts.invalidPath}`)
  t.comment(`forwarded ${counts.forwarded}, invalid_path ${counts.invalidPath}, invalid_request (query) ${counts.badQuery}, refused by the HTTP parser ${counts.parserRefused}`)
})
