/**
 * SPEC 6.4: the forwarded path must stay under the base URL. Runs before any credential work.
 *
 * Input is the raw (still percent-encoded) rest of the URL after `/proxy/<connection>`, with its
 * leading `/` and without the query. The path is forwarded exactly as sent; the checks look at
 * the raw form, the form decoded once and the form decoded twice, because an upstream, a proxy
 * in front of it or a URL parser on the way may decode once or twice. `normalized` (decoded
 * once) is what `allow` rules are matched against.
 *
 * Decisions beyond the letter of 6.4, each to close a known bypass:
 * - `#` is refused raw and percent-encoded (`%23`, `%2523`): a decoded `#` truncates the path
 *   for anyone who re-parses it as a URL.
 * - `..;params` (Tomcat/Spring) and `..` followed by spaces or tabs (Windows) count as `..`.
 * - A scheme means `letter *(letter / digit / + - .) ":"` at the start of the leading segment, so
 *   `/v1:batch` is refused as the first segment but `/v1/items:batch` is fine.
 * - Overlong UTF-8 (`%c0%ae`, `%e0%80%ae`, ...) is refused: some decoders turn it into `.` or
 *   `/`. Decoded non-ASCII is also checked after NFKC (`%ef%bc%8e` is a full-width dot).
 * - Raw characters outside visible ASCII are refused: they must be percent-encoded.
 * - A single `.` segment cannot climb above the base URL and is forwarded as sent.
 */
import { GatewayError } from '../errors.js'

export interface ForwardPath {
  /** Forwarded to the upstream exactly as sent (encoded slashes stay encoded). */
  path: string
  /** Decoded once (invalid UTF-8 becomes U+FFFD), `/` when empty: for `allow` rule matching. */
  normalized: string
}

const SCHEME = /^[A-Za-z][A-Za-z0-9+.-]*:/

function invalid (message: string): GatewayError {
  return new GatewayError('invalid_path', message)
}

export function checkForwardPath (rest: string): ForwardPath {
  if (rest === '') return { path: '', normalized: '/' }
  if (rest.charCodeAt(0) !== 0x2f) throw invalid('the path must start with /')

  let hasPercent = false
  for (let i = 0; i < rest.length; i++) {
    const c = rest.charCodeAt(i)
    if (c === 0x25) {
      if (hexValue(rest.charCodeAt(i + 1)) < 0 || hexValue(rest.charCodeAt(i + 2)) < 0) throw invalid('the path has malformed percent-encoding')
      hasPercent = true
      i += 2
    } else if (c === 0x00 || c === 0x0d || c === 0x0a) {
      throw invalid('the path must not contain NUL, CR or LF')
    } else if (c <= 0x20 || c >= 0x7f) {
      throw invalid('the path has a character that must be percent-encoded')
    } else if (c === 0x5c) {
      throw invalid('the path must not contain a backslash')
    } else if (c === 0x23) {
      throw invalid('the path must not contain a fragment (#)')
    }
  }
  checkSegments(rest)
  // Fast path: nothing encoded, nothing more to decode.
  if (!hasPercent) return { path: rest, normalized: rest }

  // Common case: valid UTF-8, decoded natively. ASCII checks on the UTF-16 result are exact.
  // Otherwise (invalid UTF-8, stray `%` after one decode) decode to one char per byte.
  let onceBytes: string | undefined
  let normalized = tryDecode(rest)
  if (normalized !== undefined) {
    checkText(normalized)
  } else {
    onceBytes = percentDecode(rest)
    checkBytes(onceBytes)
    normalized = Buffer.from(onceBytes, 'latin1').toString('utf8')
  }
  if (normalized.includes('%')) {
    const twice = onceBytes === undefined ? tryDecode(normalized) : undefined
    if (twice !== undefined) checkText(twice)
    else checkBytes(percentDecode(onceBytes ?? Buffer.from(normalized, 'utf8').toString('latin1')))
  }
  return { path: rest, normalized }
}

function tryDecode (text: string): string | undefined {
  try {
    return decodeURIComponent(text)
  } catch {
    return undefined
  }
}

/**
 * The raw query (without `?`): CR, LF and NUL are refused raw and percent-encoded, and a raw
 * `#` too. Other escapes are the upstream's business and pass unchanged.
 */
export function checkQueryString (raw: string): void {
  for (let i = 0; i < raw.length; i++) {
    const c = raw.charCodeAt(i)
    if (c === 0x00 || c === 0x0d || c === 0x0a) throw invalid('the query must not contain NUL, CR or LF')
    if (c === 0x23) throw invalid('the query must not contain a fragment (#)')
    if (c === 0x25 && raw.charCodeAt(i + 1) === 0x30) {
      const low = raw.charCodeAt(i + 2) | 0x20 // ASCII lower-case
      if (low === 0x30 || low === 0x61 || low === 0x64) throw invalid('the query must not contain NUL, CR or LF')
    }
  }
}

/**
 * Checks on a form decoded to one char per byte (invalid UTF-8 inside). Overlong sequences are
 * refused: lenient decoders turn `%c0%ae` into `.`.
 */
function checkBytes (bytes: string): void {
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes.charCodeAt(i)
    if (b < 0xc0) continue
    // Only lead bytes followed by a continuation byte: a lone 0xC0 may be Latin-1 text.
    const next = bytes.charCodeAt(i + 1)
    if (!(next >= 0x80 && next <= 0xbf)) continue
    if (b === 0xc0 || b === 0xc1 || (b === 0xe0 && next < 0xa0) || (b === 0xf0 && next < 0x90)) {
      throw invalid('the path has an overlong UTF-8 sequence')
    }
  }
  checkText(Buffer.from(bytes, 'latin1').toString('utf8'))
}

const NON_ASCII = /[^\x00-\x7f]/

/** A decoded form as text; non-ASCII is checked again after NFKC (full-width `.`, `/`, `@`). */
function checkText (text: string): void {
  checkChars(text)
  checkSegments(text)
  if (NON_ASCII.test(text)) {
    const folded = text.normalize('NFKC')
    if (folded !== text) {
      checkChars(folded)
      checkSegments(folded)
    }
  }
}

function checkChars (text: string): void {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (c === 0x00 || c === 0x0d || c === 0x0a) throw invalid('the path must not contain NUL, CR or LF')
    // A WHATWG URL parser strips TAB (as it does CR and LF), so `/%09../x` decoded once reads
    // as `/../x` to anyone who re-parses it: refused like the others.
    if (c === 0x09) throw invalid('the path must not contain a TAB')
    if (c === 0x5c) throw invalid('the path must not contain a backslash')
    if (c === 0x23) throw invalid('the path must not contain a fragment (#)')
  }
}

/**
 * Splits on `/` and `\` without allocating: no `..` piece, no `//` at the start, no `@` or
 * scheme in the leading segment. `text` starts with `/` (the raw form does, and decoding
 * cannot change a literal first character).
 */
function checkSegments (text: string): void {
  const second = text.charCodeAt(1)
  if (second === 0x2f || second === 0x5c) throw invalid('the path must not start with //')
  let start = 1
  let leading = true
  let colon = false
  for (let i = 1; i <= text.length; i++) {
    const c = i < text.length ? text.charCodeAt(i) : 0x2f
    if (c !== 0x2f && c !== 0x5c) {
      if (leading) {
        if (c === 0x40) throw invalid('the first path segment must not contain @')
        if (c === 0x3a) colon = true
      }
      continue
    }
    if (isDotDot(text, start, i)) throw invalid('the path must not contain a .. segment')
    if (leading && colon && SCHEME.test(text.slice(1, i))) throw invalid('the first path segment must not look like a URL scheme')
    leading = false
    start = i + 1
  }
}

/** `..`, optionally followed by `;params` or trailing spaces/tabs. */
function isDotDot (text: string, start: number, end: number): boolean {
  if (end - start < 2 || text.charCodeAt(start) !== 0x2e || text.charCodeAt(start + 1) !== 0x2e) return false
  for (let i = start + 2; i < end; i++) {
    const c = text.charCodeAt(i)
    if (c === 0x3b) return true
    if (c !== 0x20 && c !== 0x09) return false
  }
  return true
}

/** Decodes well-formed `%XX` to one char per byte; anything else (a stray `%`) stays literal. */
function percentDecode (text: string): string {
  let out = ''
  let from = 0
  for (let i = text.indexOf('%'); i !== -1 && i < text.length; i = text.indexOf('%', i)) {
    const hi = hexValue(text.charCodeAt(i + 1))
    const lo = hexValue(text.charCodeAt(i + 2))
    if (hi < 0 || lo < 0) {
      i++
      continue
    }
    out += text.slice(from, i) + String.fromCharCode((hi << 4) | lo)
    i += 3
    from = i
  }
  return from === 0 ? text : out + text.slice(from)
}

function hexValue (c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30
  const low = c | 0x20
  if (low >= 0x61 && low <= 0x66) return low - 0x61 + 10
  return -1
}
