/**
 * `oauth1` (SPEC 7): the upstream verifies each RFC 5849 signature on its own, from what it
 * actually received (method, URL, query, form body), with its own small verifier below.
 */
import { createHmac } from 'node:crypto'
import t, { type Test } from 'tap'
import { recordingUpstream, type Received } from '../../helpers/upstream.js'
import { assertNoSecrets, startGateway } from '../../helpers/gateway.js'

const SECRETS = {
  caller_key: 'ck-0a1b2c3d4e5f6789',
  consumer_secret: 'cs-kd94hf93k423kf44',
  token_secret: 'ts-pfkkdhi9sl3r4s00',
}
const CLOCK_MS = 1_700_000_123_456

/** RFC 3986 unreserved kept, everything else %XX (RFC 5849 3.6). */
function enc (text: string): string {
  return [...Buffer.from(text, 'utf8')].map((b) => {
    const c = String.fromCharCode(b)
    return /[A-Za-z0-9\-._~]/.test(c) ? c : `%${b.toString(16).toUpperCase().padStart(2, '0')}`
  }).join('')
}

/** The Authorization header's fields, values decoded (realm left as the quoted-string). */
function parseHeader (header: string): Map<string, string> {
  if (!header.startsWith('OAuth ')) throw new Error(`not an OAuth header: ${header}`)
  const out = new Map<string, string>()
  for (const m of header.slice(6).matchAll(/([A-Za-z_]+)="((?:[^"\\]|\\.)*)"(?:, |$)/g)) {
    out.set(m[1]!, m[1] === 'realm' ? m[2]!.replace(/\\(.)/g, '$1') : decodeURIComponent(m[2]!))
  }
  return out
}

interface Verified { valid: boolean, fields: Map<string, string>, baseString: string, params: string }

/** Rebuilds the signature base string from what the upstream received and checks the signature. */
function verify (r: Received, port: number, consumerSecret: string, tokenSecret: string): Verified {
  const fields = parseHeader(r.headers.authorization ?? '')
  const q = r.url.indexOf('?')
  const path = q === -1 ? r.url : r.url.slice(0, q)
  const pairs: Array<[string, string]> = []
  if (q !== -1) pairs.push(...new URLSearchParams(r.url.slice(q + 1)))
  if ((r.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded')) pairs.push(...new URLSearchParams(r.body.toString('utf8')))
  for (const [k, v] of fields) if (k !== 'realm' && k !== 'oauth_signature') pairs.push([k, v])
  const params = pairs.map(([k, v]) => [enc(k), enc(v)]).sort(([a, x], [b, y]) => a! < b! ? -1 : a! > b! ? 1 : x! < y! ? -1 : x! > y! ? 1 : 0)
    .map(([k, v]) => `${k}=${v}`).join('&')
  const baseString = `${r.method.toUpperCase()}&${enc(`http://127.0.0.1:${port}${path}`)}&${enc(params)}`
  const key = `${enc(consumerSecret)}&${enc(tokenSecret)}`
  const method = fields.get('oauth_signature_method')
  const expected = method === 'PLAINTEXT' ? key
    : createHmac(method === 'HMAC-SHA256' ? 'sha256' : 'sha1', key).update(baseString).digest('base64')
  return { valid: fields.get('oauth_signature') === expected, fields, baseString, params }
}

t.test('oauth1 signs every request as RFC 5849 says', async (t) => {
  const upstream = await recordingUpstream(t)
  const lk = await startGateway(t, `
server: { allow_private_upstreams: true, body_limit: 1kb }
callers:
  api_keys:
    svc: { key: "{{ get_secret('caller_key') }}" }
connectors:
  signed:
    base_url: ${upstream.url}/api
    query: { fmt: "json x" }
    auth:
      default: sha1
      methods:
        sha1:
          type: oauth1
          consumer_key: dpf43f3p2l4k3l03
          consumer_secret: "{{ get_secret('consumer_secret') }}"
          token: nnch734d00sl2jdk
          token_secret: "{{ get_secret('token_secret') }}"
        sha256:
          type: oauth1
          signature_method: HMAC-SHA256
          consumer_key: "key-{{ connection.config.tenant }}"
          consumer_secret: "{{ get_secret('consumer_secret') }}"
          token: nnch734d00sl2jdk
          token_secret: "{{ get_secret('token_secret') }}"
        plain:
          type: oauth1
          signature_method: PLAINTEXT
          consumer_key: dpf43f3p2l4k3l03
          consumer_secret: "{{ get_secret('consumer_secret') }}"
          token: nnch734d00sl2jdk
          token_secret: "{{ get_secret('token_secret') }}"
          realm: 'Photos "x"'
connections:
  c-sha1: { connector: signed, auth: sha1, access: { callers: [svc] } }
  c-sha256: { connector: signed, auth: sha256, config: { tenant: acme }, access: { callers: [svc] } }
  c-plain: { connector: signed, auth: plain, access: { callers: [svc] } }
`, { secrets: SECRETS, clock: () => CLOCK_MS })
  const call = async (conn: string, suffix: string, init: RequestInit = {}) => {
    const res = await lk.fetch(`/proxy/${conn}${suffix}`, { ...init, headers: { 'x-latchkey-key': SECRETS.caller_key, ...init.headers as Record<string, string> } })
    const text = await res.text()
    return { status: res.status, text }
  }
  const check = (t: Test, r: Received) => {
    const v = verify(r, upstream.port, SECRETS.consumer_secret, SECRETS.token_secret)
    t.ok(v.valid, `the upstream verifies the signature of ${r.method} ${r.url}`)
    return v
  }
  const bodies: string[] = []

  t.test('HMAC-SHA1 by default, over the query as sent (caller and connector)', async (t) => {
    const res = await call('c-sha1', '/v1/photos?size=original&file=vacation.jpg')
    t.equal(res.status, 200)
    bodies.push(res.text)
    const r = upstream.last()
    t.equal(r.url, '/api/v1/photos?size=original&file=vacation.jpg&fmt=json%20x')
    const v = check(t, r)
    t.equal(v.fields.get('oauth_signature_method'), 'HMAC-SHA1')
    t.equal(v.fields.get('oauth_consumer_key'), 'dpf43f3p2l4k3l03')
    t.equal(v.fields.get('oauth_token'), 'nnch734d00sl2jdk')
    t.equal(v.fields.get('oauth_version'), '1.0')
    t.equal(v.fields.get('oauth_timestamp'), String(Math.floor(CLOCK_MS / 1000)))
    t.match(v.fields.get('oauth_nonce'), /^[A-Za-z0-9_-]{16,}$/)
    t.notOk(v.fields.has('realm'))
    t.match(v.params, /^file=vacation.jpg&fmt=json%20x&oauth_consumer_key=/, 'query parameters are signed, sorted')
  })

  t.test('HMAC-SHA256 with a templated consumer key', async (t) => {
    const res = await call('c-sha256', '/v1/x?a=1')
    t.equal(res.status, 200)
    const v = check(t, upstream.last())
    t.equal(v.fields.get('oauth_signature_method'), 'HMAC-SHA256')
    t.equal(v.fields.get('oauth_consumer_key'), 'key-acme')
  })

  t.test('PLAINTEXT, realm first and outside the signature', async (t) => {
    const res = await call('c-plain', '/v1/x')
    t.equal(res.status, 200)
    const r = upstream.last()
    t.match(r.headers.authorization, /^OAuth realm="Photos \\"x\\"", oauth_consumer_key="/)
    const v = check(t, r)
    t.equal(v.fields.get('realm'), 'Photos "x"')
    t.equal(v.fields.get('oauth_signature'), `${SECRETS.consumer_secret}&${SECRETS.token_secret}`)
  })

  t.test('values that need percent-encoding and repeated keys', async (t) => {
    const query = 'q=a+b%20c&q=%2B1&t=~tilde&u=%C3%A9t%C3%A9%F0%9F%98%80&s=!*%27()&z=&q=0'
    const res = await call('c-sha1', `/v1/search?${query}`)
    t.equal(res.status, 200)
    const r = upstream.last()
    t.equal(r.url, `/api/v1/search?${query}&fmt=json%20x`, 'the query is sent as the caller wrote it')
    const v = check(t, r)
    t.match(v.params, /^fmt=json%20x&oauth_/)
    t.match(v.params, /&q=%2B1&q=0&q=a%20b%20c&s=%21%2A%27%28%29&t=~tilde&u=%C3%A9t%C3%A9%F0%9F%98%80&z=$/)
  })

  t.test('a form body: its parameters are signed and its bytes sent as they were', async (t) => {
    const body = 'status=Hello+Ladies+%2B+Gentlemen%2C+a+signed+OAuth+request%21&include_entities=true&a=1&a=%7E'
    const res = await call('c-sha1', '/v1/statuses?x=1', { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' }, body })
    t.equal(res.status, 200)
    const r = upstream.last()
    t.equal(r.method, 'POST')
    t.equal(r.body.toString('utf8'), body)
    t.equal(r.headers['content-length'], String(Buffer.byteLength(body)))
    const v = check(t, r)
    t.match(v.params, /^a=1&a=~&fmt=json%20x&include_entities=true&oauth_/)
    t.match(v.params, /&status=Hello%20Ladies%20%2B%20Gentlemen%2C%20a%20signed%20OAuth%20request%21&x=1$/)
  })

  t.test('a JSON body is not covered and streams through', async (t) => {
    const body = JSON.stringify({ a: 'b=c&d=e' })
    const res = await call('c-sha1', '/v1/json', { method: 'POST', headers: { 'content-type': 'application/json' }, body })
    t.equal(res.status, 200)
    const r = upstream.last()
    t.equal(r.body.toString('utf8'), body)
    const v = check(t, r)
    t.notMatch(v.params, /(^|&)a=/, 'no body parameter in the signature')
  })

  t.test('every request has its own nonce', async (t) => {
    await call('c-sha1', '/v1/n')
    const first = parseHeader(upstream.last().headers.authorization!).get('oauth_nonce')
    await call('c-sha1', '/v1/n')
    const second = parseHeader(upstream.last().headers.authorization!).get('oauth_nonce')
    t.ok(first !== undefined && second !== undefined)
    t.not(first, second)
  })

  t.test('a form body over body_limit is 413 and the upstream is never called', async (t) => {
    const before = upstream.received.length
    const body = `big=${'x'.repeat(2048)}`
    const res = await call('c-sha1', '/v1/big', { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body })
    t.equal(res.status, 413)
    t.equal(JSON.parse(res.text).error.code, 'payload_too_large')
    bodies.push(res.text)
    t.equal(upstream.received.length, before)
  })

  t.test('no secret in logs or error bodies', async (t) => {
    // An error with the secrets rendered: an unknown connection and a refused caller.
    bodies.push(await lk.fetch('/proxy/c-sha1/v1/x').then((r) => r.text()))
    assertNoSecrets(t, [...lk.logs, ...bodies], [SECRETS.consumer_secret, SECRETS.token_secret])
  })
})

t.test('a retry is signed anew, with its own nonce', async (t) => {
  let calls = 0
  const upstream = await recordingUpstream(t, (_req, res) => {
    res.writeHead(++calls === 1 ? 503 : 200, { 'content-type': 'text/plain' })
    res.end('x')
  })
  const lk = await startGateway(t, `
server: { allow_private_upstreams: true }
callers:
  api_keys:
    svc: { key: "{{ get_secret('caller_key') }}" }
connectors:
  signed:
    base_url: ${upstream.url}
    retry: { max: 1, on: [503] }
    auth:
      methods:
        signed:
          type: oauth1
          consumer_key: ck
          consumer_secret: "{{ get_secret('consumer_secret') }}"
          token: ""
          token_secret: "{{ get_secret('token_secret') }}"
connections:
  c: { connector: signed, access: { callers: [svc] } }
`, { secrets: SECRETS })
  const res = await lk.fetch('/proxy/c/r?a=1', { headers: { 'x-latchkey-key': SECRETS.caller_key } })
  t.equal(res.status, 200)
  await res.text()
  t.equal(upstream.received.length, 2)
  const [first, second] = upstream.received.map((r) => verify(r, upstream.port, SECRETS.consumer_secret, SECRETS.token_secret))
  t.ok(first!.valid && second!.valid, 'both attempts verify')
  t.not(first!.fields.get('oauth_nonce'), second!.fields.get('oauth_nonce'))
  t.notOk(second!.fields.has('oauth_token'), 'an empty token leaves oauth_token out')
})
