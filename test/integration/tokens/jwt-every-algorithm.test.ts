/**
 * SPEC 7 `jwt`: for every algorithm and every key format latchkey accepts (PKCS#8, PKCS#1 and
 * SEC1 PEM, JWK JSON, HMAC secret), the upstream receives a JWT that verifies with the matching
 * public key, with the rendered claims (exp/iat as integers) and `jwt_headers` in the protected
 * header. Custom `header` and `prefix` are honoured.
 */
import { jwtVerify } from 'jose'
import t from 'tap'
import { assertNoSecrets, startGateway } from '../../helpers/gateway.js'
import { ALGORITHMS, keyFor, type KeyMaterial } from '../../helpers/token-endpoint.js'
import { recordingUpstream } from '../../helpers/upstream.js'

const NOW_MS = 1_900_000_000_123
const NOW_S = Math.floor(NOW_MS / 1000)
const CALLER_KEY = 'ck-jwt-0a1b2c3d4e5f'

const FORMATS = ['secret', 'pkcs8', 'pkcs1', 'sec1', 'jwk'] as const satisfies ReadonlyArray<keyof KeyMaterial>

interface Case { id: string, algorithm: string, format: string, secret: string, verify: KeyMaterial['verify'] }

t.test('every algorithm and key format signs a verifiable JWT', async (t) => {
  const upstream = await recordingUpstream(t)
  const cases: Case[] = []
  const secrets: Record<string, string> = { caller_key: CALLER_KEY }
  for (const algorithm of ALGORITHMS) {
    const material = keyFor(algorithm)
    for (const format of FORMATS) {
      const text = material[format]
      if (text === undefined) continue
      const id = `${algorithm}-${format}`.toLowerCase()
      const secret = `key_${id.replace(/-/g, '_')}`
      secrets[secret] = text
      cases.push({ id, algorithm, format, secret, verify: material.verify })
    }
  }
  // PEM pasted into an env var often carries literal "\n": still a usable key.
  const rs = keyFor('RS256')
  secrets.key_rs256_escaped = rs.pkcs8!.trim().replace(/\n/g, '\\n')
  cases.push({ id: 'rs256-escaped', algorithm: 'RS256', format: 'pkcs8 with \\n', secret: 'key_rs256_escaped', verify: rs.verify })

  const methods = cases.map((c) => `
        ${c.id}:
          type: jwt
          algorithm: ${c.algorithm}
          private_key: "{{ get_secret('${c.secret}') }}"
          jwt_headers: { kid: k1 }
          claims:
            iss: latchkey
            sub: "{{ caller.id }}"
            iat: "{{ now() }}"
            exp: "{{ now(300) }}"
            scope: [read, "{{ connection.config.extra }}"]
            ctx: { tenant: "{{ connection.config.tenant }}" }`).join('')
  const connections = cases.map((c) => `
  ${c.id}: { connector: api, auth: ${c.id}, config: { tenant: acme, extra: write }, access: { callers: [svc] } }`).join('')
  const lk = await startGateway(t, `
server: { allow_private_upstreams: true }
callers:
  api_keys:
    svc: { key: "{{ get_secret('caller_key') }}" }
connectors:
  api:
    base_url: ${upstream.url}
    auth:
      default: no-prefix
      methods:${methods}
        custom-header:
          type: jwt
          algorithm: HS256
          private_key: "{{ get_secret('key_hs256_secret') }}"
          claims: { sub: "{{ caller.id }}" }
          header: X-Service-Token
          prefix: "JWT "
        no-prefix:
          type: jwt
          algorithm: HS256
          private_key: "{{ get_secret('key_hs256_secret') }}"
          claims: { sub: "{{ caller.id }}" }
          prefix: ""
connections:${connections}
  custom-header: { connector: api, auth: custom-header, access: { callers: [svc] } }
  no-prefix: { connector: api, auth: no-prefix, access: { callers: [svc] } }
`, { secrets, clock: () => NOW_MS })

  const call = async (conn: string) => {
    const res = await lk.fetch(`/proxy/${conn}/v1/me`, { headers: { 'x-latchkey-key': CALLER_KEY } })
    t.equal(res.status, 200, `${conn}: 200`)
    await res.text()
    return upstream.last()
  }
  const currentDate = new Date(NOW_MS)

  for (const c of cases) {
    await t.test(`${c.algorithm} with a ${c.format} key`, async (t) => {
      const seen = await call(c.id)
      const match = /^Bearer ([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+)$/.exec(seen.headers.authorization ?? '')
      t.ok(match, 'Authorization: Bearer <compact JWS>')
      const { payload, protectedHeader } = await jwtVerify(match![1]!, c.verify, { algorithms: [c.algorithm], currentDate })
      t.same(protectedHeader, { alg: c.algorithm, typ: 'JWT', kid: 'k1' }, 'jwt_headers merged into the protected header')
      t.same(payload, {
        iss: 'latchkey',
        sub: 'svc',
        iat: NOW_S,
        exp: NOW_S + 300,
        scope: ['read', 'write'],
        ctx: { tenant: 'acme' },
      }, 'claims rendered; iat and exp are integers')
      t.equal(typeof payload.exp, 'number')
    })
  }

  await t.test('custom header and prefix', async (t) => {
    const hmac = keyFor('HS256')
    let seen = await call('custom-header')
    t.notOk(seen.headers.authorization, 'no Authorization with a custom header')
    const value = seen.headers['x-service-token'] ?? ''
    t.ok(value.startsWith('JWT '), 'prefix "JWT "')
    const { payload } = await jwtVerify(value.slice(4), new TextEncoder().encode(secrets.key_hs256_secret), { algorithms: ['HS256'] })
    t.same(payload, { sub: 'svc' })
    t.not(hmac.secret, secrets.key_hs256_secret, 'each HS key is distinct')

    seen = await call('no-prefix')
    const bare = seen.headers.authorization ?? ''
    t.match(bare, /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/, 'an empty prefix sends the bare JWT')
    await jwtVerify(bare, new TextEncoder().encode(secrets.key_hs256_secret), { algorithms: ['HS256'] })
  })

  assertNoSecrets(t, lk.logs, Object.values(secrets).flatMap((s) => s.includes('PRIVATE KEY') ? s.split('\n').filter((l) => l.length > 40) : [s]))
})
