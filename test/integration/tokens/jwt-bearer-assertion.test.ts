/**
 * SPEC 7 `oauth_jwt_bearer` (RFC 7523): the token endpoint receives the jwt-bearer grant and an
 * assertion signed with the private key whose claims are exactly iss/sub/aud/iat/exp(+180) plus
 * `additional_claims`; `scope` when set; the assertion never reaches the upstream; the access
 * token lives min(token_ttl, expires_in) - 60 s.
 */
import { jwtVerify, decodeProtectedHeader } from 'jose'
import t from 'tap'
import { assertNoSecrets, startGateway } from '../../helpers/gateway.js'
import { keyFor, tokenEndpoint } from '../../helpers/token-endpoint.js'
import { recordingUpstream } from '../../helpers/upstream.js'

const START_MS = 1_900_000_000_456
const START_S = Math.floor(START_MS / 1000)
const CALLER_KEY = 'ck-jwtb-9f8e7d6c5b4a'

t.test('jwt bearer: assertion, grant, lifetime', async (t) => {
  let nowMs = START_MS
  const rsa = keyFor('RS256')
  const ec = keyFor('ES256')
  const idp = await tokenEndpoint(t)
  // The IdP's expires_in depends on the client, so both sides of min(token_ttl, expires_in) run.
  idp.answer = (req, fresh) => ({
    body: { access_token: fresh(), token_type: 'Bearer', expires_in: req.form.get('scope') === null ? 300 : 3600 },
  })
  const upstream = await recordingUpstream(t)
  const lk = await startGateway(t, `
server: { allow_private_upstreams: true }
callers:
  api_keys:
    svc: { key: "{{ get_secret('caller_key') }}" }
connectors:
  api:
    base_url: ${upstream.url}/services
    auth:
      default: scoped
      methods:
        scoped:
          type: oauth_jwt_bearer
          token_url: ${idp.url}
          client_id: "3MVG9-{{ connection.config.org }}"
          subject: "integration@{{ connection.config.org }}.example"
          audience: https://login.example.com
          private_key: "{{ get_secret('rsa_key') }}"
          token_ttl: 10m
          scope: api refresh_token
          additional_claims: { tenant: "{{ connection.config.org }}", roles: [reader], nbf: "{{ now(-5) }}" }
          jwt_headers: { kid: sig-2024 }
        plain:
          type: oauth_jwt_bearer
          token_url: ${idp.url}
          client_id: svc-account@example.iam
          subject: svc-account@example.iam
          audience: ${idp.url}
          private_key: "{{ get_secret('ec_key') }}"
          algorithm: ES256
connections:
  scoped: { connector: api, auth: scoped, config: { org: acme }, access: { callers: [svc] } }
  plain: { connector: api, auth: plain, access: { callers: [svc] } }
`, { secrets: { caller_key: CALLER_KEY, rsa_key: rsa.pkcs8!, ec_key: ec.pkcs8! }, clock: () => nowMs })

  const call = async (conn: string, init: RequestInit = {}) => {
    const res = await lk.fetch(`/proxy/${conn}/data?q=1`, { ...init, headers: { 'x-latchkey-key': CALLER_KEY, ...init.headers } })
    t.equal(res.status, 200, `${conn}: 200`)
    await res.text()
    return upstream.last()
  }
  const assertions: string[] = []

  await t.test('the token request and its assertion', async (t) => {
    const seen = await call('scoped', { method: 'POST', body: '{"hello":"world"}', headers: { 'content-type': 'application/json' } })
    t.equal(idp.requests.length, 1)
    const req = idp.requests[0]!
    t.equal(req.method, 'POST')
    t.notOk(req.headers.authorization, 'no client authentication besides the assertion')
    t.same([...req.form.keys()], ['grant_type', 'assertion', 'scope'])
    t.equal(req.form.get('grant_type'), 'urn:ietf:params:oauth:grant-type:jwt-bearer')
    t.equal(req.form.get('scope'), 'api refresh_token')
    const assertion = req.form.get('assertion')!
    assertions.push(assertion)
    t.same(decodeProtectedHeader(assertion), { alg: 'RS256', typ: 'JWT', kid: 'sig-2024' })
    const { payload } = await jwtVerify(assertion, rsa.verify, { algorithms: ['RS256'], currentDate: new Date(nowMs) })
    t.same(payload, {
      iss: '3MVG9-acme',
      sub: 'integration@acme.example',
      aud: 'https://login.example.com',
      iat: START_S,
      exp: START_S + 180,
      tenant: 'acme',
      roles: ['reader'],
      nbf: START_S - 5,
    }, 'exactly the RFC 7523 claims plus additional_claims')
    t.equal(seen.headers.authorization, `Bearer ${idp.issued[0]}`)
    t.equal(seen.body.toString(), '{"hello":"world"}')
  })

  await t.test('without scope, ES256', async (t) => {
    const before = idp.requests.length
    const seen = await call('plain')
    const req = idp.requests[before]!
    t.same([...req.form.keys()], ['grant_type', 'assertion'], 'no scope field when none is configured')
    const assertion = req.form.get('assertion')!
    assertions.push(assertion)
    const { payload } = await jwtVerify(assertion, ec.verify, { algorithms: ['ES256'], currentDate: new Date(nowMs) })
    t.same(payload, { iss: 'svc-account@example.iam', sub: 'svc-account@example.iam', aud: idp.url, iat: START_S, exp: START_S + 180 })
    t.equal(seen.headers.authorization, `Bearer ${idp.issued.at(-1)}`)
  })

  await t.test('the assertion never reaches the upstream', async (t) => {
    t.ok(upstream.received.length >= 2)
    for (const seen of upstream.received) {
      const text = [seen.url, ...seen.rawHeaders, seen.body.toString('latin1')].join('\n')
      for (const assertion of assertions) {
        t.notOk(text.includes(assertion), 'not the assertion')
        t.notOk(text.includes(assertion.split('.')[2]!), 'not even its signature')
      }
      t.notOk(text.includes('jwt-bearer'), 'no grant either')
    }
  })

  await t.test('lifetime: min(token_ttl, expires_in) - 60 s', async (t) => {
    const tokenRequests = () => idp.requests.length
    const before = tokenRequests()
    // scoped: token_ttl 10m < expires_in 3600 -> 540 s; plain: expires_in 300 < 3600 -> 240 s.
    nowMs = START_MS + 239_999
    await call('scoped')
    await call('plain')
    t.equal(tokenRequests(), before, 'both reused just before 240 s')
    nowMs = START_MS + 240_000
    const plain = await call('plain')
    t.equal(tokenRequests(), before + 1, 'plain refetched at 240 s (expires_in 300 - 60)')
    t.equal(plain.headers.authorization, `Bearer ${idp.issued.at(-1)}`)
    await call('scoped')
    nowMs = START_MS + 539_999
    await call('scoped')
    t.equal(tokenRequests(), before + 1, 'scoped still reused just before 540 s')
    nowMs = START_MS + 540_000
    const scoped = await call('scoped')
    t.equal(tokenRequests(), before + 2, 'scoped refetched at 540 s (token_ttl 600 - 60)')
    t.equal(scoped.headers.authorization, `Bearer ${idp.issued.at(-1)}`)
    const assertion = idp.requests.at(-1)!.form.get('assertion')!
    assertions.push(assertion)
    const { payload } = await jwtVerify(assertion, rsa.verify, { currentDate: new Date(nowMs) })
    t.equal(payload.iat, START_S + 540, 'a fresh assertion for the new token')
  })

  assertNoSecrets(t, lk.logs, [CALLER_KEY, ...assertions, ...idp.issued, ...rsa.pkcs8!.split('\n').filter((l) => l.length > 40)])
})
