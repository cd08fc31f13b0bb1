/**
 * SPEC 7 `oauth_client_credentials`: the exact token request (form body or HTTP Basic client
 * auth), the exact Bearer the upstream receives, and one token request for many requests.
 */
import t, { type Test } from 'tap'
import { assertNoSecrets, startGateway } from '../../helpers/gateway.js'
import { tokenEndpoint } from '../../helpers/token-endpoint.js'
import { recordingUpstream } from '../../helpers/upstream.js'

const SECRETS = {
  caller_key: 'ck-cc-1f2e3d4c5b6a',
  cc_secret: 'cs-Vq7!s3cr3t-body',
  cc_basic_secret: 'cs-basic-9Zq:x+/=',
}

t.test('client credentials: exact token request and Bearer', async (t) => {
  const idp = await tokenEndpoint(t)
  const upstream = await recordingUpstream(t)
  const lk = await startGateway(t, `
server: { allow_private_upstreams: true }
callers:
  api_keys:
    svc: { key: "{{ get_secret('caller_key') }}" }
connectors:
  api:
    base_url: ${upstream.url}/api
    auth:
      default: body
      methods:
        body:
          type: oauth_client_credentials
          token_url: ${idp.url}?tenant=t1
          client_id: "client-{{ connection.config.tenant }}"
          client_secret: "{{ get_secret('cc_secret') }}"
          scope: read write
          audience: https://api.example.com/
          extra_params: { resource: "urn:res:{{ connection.config.tenant }}", team: blue }
        basic:
          type: oauth_client_credentials
          token_url: ${idp.url}
          client_id: basic-client
          client_secret: "{{ get_secret('cc_basic_secret') }}"
          client_auth: basic
connections:
  in-body: { connector: api, auth: body, config: { tenant: acme }, access: { callers: [svc] } }
  in-basic: { connector: api, auth: basic, access: { callers: [svc] } }
`, { secrets: SECRETS })
  const call = async (t: Test, conn: string) => {
    const res = await lk.fetch(`/proxy/${conn}/v1/things?page=2`, { headers: { 'x-latchkey-key': SECRETS.caller_key } })
    t.equal(res.status, 200, `${conn}: 200`)
    await res.text()
    return upstream.last()
  }

  await t.test('client auth in the body', async (t) => {
    const seen = await call(t, 'in-body')
    t.equal(idp.requests.length, 1, 'one token request')
    const req = idp.requests[0]!
    t.equal(req.method, 'POST')
    t.equal(req.url, '/oauth/token?tenant=t1', 'the token_url query is kept')
    t.match(req.headers['content-type'], /^application\/x-www-form-urlencoded/)
    t.notOk(req.headers.authorization, 'no Authorization header with client_auth: body')
    t.same([...req.form.entries()], [
      ['grant_type', 'client_credentials'],
      ['client_id', 'client-acme'],
      ['client_secret', SECRETS.cc_secret],
      ['scope', 'read write'],
      ['audience', 'https://api.example.com/'],
      ['resource', 'urn:res:acme'],
      ['team', 'blue'],
    ], 'exactly these form fields, in this order')
    t.equal(seen.headers.authorization, `Bearer ${idp.issued[0]}`, 'the upstream receives the issued token as Bearer')
    t.equal(seen.url, '/api/v1/things?page=2')
  })

  await t.test('client_auth: basic', async (t) => {
    const before = idp.requests.length
    const seen = await call(t, 'in-basic')
    t.equal(idp.requests.length, before + 1)
    const req = idp.requests.at(-1)!
    t.equal(req.headers.authorization, `Basic ${Buffer.from(`basic-client:${SECRETS.cc_basic_secret}`).toString('base64')}`)
    t.same([...req.form.entries()], [['grant_type', 'client_credentials']], 'neither client_id nor the secret in the body')
    t.notOk(req.body.includes(encodeURIComponent(SECRETS.cc_basic_secret)) || req.body.includes(SECRETS.cc_basic_secret), 'no secret in the body')
    t.equal(seen.headers.authorization, `Bearer ${idp.issued.at(-1)}`)
  })

  await t.test('one token request for many sequential requests', async (t) => {
    const before = idp.requests.length
    for (let i = 0; i < 20; i++) {
      const seen = await call(t, i % 2 === 0 ? 'in-body' : 'in-basic')
      t.equal(seen.headers.authorization, `Bearer ${i % 2 === 0 ? idp.issued[0] : idp.issued[1]}`)
    }
    t.equal(idp.requests.length, before, 'no new token request: both tokens were reused')
  })

  assertNoSecrets(t, lk.logs, [...Object.values(SECRETS), ...idp.issued])
})
