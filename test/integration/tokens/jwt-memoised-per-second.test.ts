/**
 * SPEC 7.2: within one second, identical rendered claims reuse the signed JWT; the next second,
 * or different claims, sign a new one; concurrent requests wait for the one signature in flight. Time comes from an injected clock, never from sleeping.
 */
import { generateKeyPairSync } from 'node:crypto'
import { decodeJwt } from 'jose'
import t from 'tap'
import { startGateway } from '../../helpers/gateway.js'
import { recordingUpstream } from '../../helpers/upstream.js'

t.test('jwt is memoised per second and per rendered claims', async (t) => {
  let nowMs = 1_900_000_000_000
  const upstream = await recordingUpstream(t)
  const lk = await startGateway(t, `
server: { allow_private_upstreams: true }
callers:
  api_keys:
    a: { key: "{{ get_secret('key_a') }}" }
    b: { key: "{{ get_secret('key_b') }}" }
connectors:
  api:
    base_url: ${upstream.url}
    auth:
      default: signed
      methods:
        signed:
          type: jwt
          algorithm: ES256
          private_key: "{{ get_secret('signing_key') }}"
          claims: { sub: "{{ caller.id }}", iat: "{{ now() }}", exp: "{{ now(60) }}" }
        static:
          type: jwt
          algorithm: ES256
          private_key: "{{ get_secret('signing_key') }}"
          claims: { sub: fixed }
        slow:
          type: jwt
          algorithm: PS256
          private_key: "{{ get_secret('slow_key') }}"
          claims: { sub: fixed, iat: "{{ now() }}" }
connections:
  signed: { connector: api, auth: signed, access: { callers: [a, b] } }
  static: { connector: api, auth: static, access: { callers: [a] } }
  slow: { connector: api, auth: slow, access: { callers: [a] } }
`, {
    secrets: {
      key_a: 'ck-memo-aaaaaaaa',
      key_b: 'ck-memo-bbbbbbbb',
      // ES256 signatures are randomised: the same token twice can only come from the memo.
      signing_key: generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }) as string,
      // PS256 is randomised too, and a 3072-bit signature is slow enough for requests to arrive
      // while it is in flight.
      slow_key: generateKeyPairSync('rsa', { modulusLength: 3072 }).privateKey.export({ type: 'pkcs8', format: 'pem' }) as string,
    },
    clock: () => nowMs,
  })
  const tokenFor = async (key: string) => {
    const res = await lk.fetch('/proxy/signed/x', { headers: { 'x-latchkey-key': key } })
    t.equal(res.status, 200)
    await res.text()
    return (upstream.last().headers.authorization ?? '').replace(/^Bearer /, '')
  }

  const first = await tokenFor('ck-memo-aaaaaaaa')
  nowMs += 999 // still the same second
  const second = await tokenFor('ck-memo-aaaaaaaa')
  t.equal(second, first, 'same second, same claims: the identical token')

  const other = await tokenFor('ck-memo-bbbbbbbb')
  t.not(other, first, 'other claims (sub) in the same second: another token')
  t.equal(decodeJwt(other).sub, 'b')
  t.equal(await tokenFor('ck-memo-bbbbbbbb'), other, 'and that one is memoised too')

  nowMs += 1 // the next second
  const third = await tokenFor('ck-memo-aaaaaaaa')
  t.not(third, first, 'the next second: a new token')
  t.equal(decodeJwt(third).iat, decodeJwt(first).iat! + 1)
  t.equal(await tokenFor('ck-memo-aaaaaaaa'), third)

  // Claims without time render identically every second; the memo still lives one second only.
  const staticToken = async () => {
    const res = await lk.fetch('/proxy/static/x', { headers: { 'x-latchkey-key': 'ck-memo-aaaaaaaa' } })
    t.equal(res.status, 200)
    await res.text()
    return upstream.last().headers.authorization
  }
  const s1 = await staticToken()
  t.equal(await staticToken(), s1, 'same second: reused')
  nowMs += 1000
  t.not(await staticToken(), s1, 'identical claims the next second: signed anew')

  // Concurrent requests of a new second share the one signature in flight (PS256 is randomised:
  // separate signatures would differ).
  nowMs += 1000
  const before = upstream.received.length
  const answers = await Promise.all(Array.from({ length: 20 }, () =>
    lk.fetch('/proxy/slow/x', { headers: { 'x-latchkey-key': 'ck-memo-aaaaaaaa' } }).then(async (res) => { await res.text(); return res.status })))
  t.same(new Set(answers), new Set([200]))
  const tokens = new Set(upstream.received.slice(before).map((r) => r.headers.authorization))
  t.equal(tokens.size, 1, 'twenty concurrent requests, one token')
})
