import t, { type Test } from 'tap'
import { recordingUpstream, type UpstreamHandler } from '../../helpers/upstream.js'
import { startGateway } from '../../helpers/gateway.js'
import { problemsOf } from '../../helpers/config.js'

const TOKEN = 'xoxb-test-token-5e6f7a8b'

/** A Slack-shaped upstream: every answer 200, the verdict in the body. */
function answering (body: string | Buffer, contentType = 'application/json'): UpstreamHandler {
  return (_req, res) => { res.writeHead(200, { 'content-type': contentType }).end(body) }
}

/**
 * The built-in `slack` connector (its test: GET /auth.test, expect_status 200, expect_json
 * { ok: true }) pointed at a local upstream.
 */
async function slackAt (t: Test, handler: UpstreamHandler) {
  const upstream = await recordingUpstream(t, handler)
  const lk = await startGateway(t, `
connectors:
  slack-local: { extends: slack, base_url: ${upstream.url}/api }
connections:
  workspace: { connector: slack-local, auth: token, credentials: { token: "{{ get_secret('bot') }}" } }
`, { secrets: { bot: TOKEN } })
  return { upstream, lk }
}

/** A connector written in YAML with its own expect_json. */
async function gatewayFor (t: Test, handler: UpstreamHandler, expectJson: string) {
  const upstream = await recordingUpstream(t, handler)
  const lk = await startGateway(t, `
connectors:
  chat:
    base_url: ${upstream.url}/api
    auth: { methods: { bot: { type: bearer, token: "{{ get_secret('bot') }}" } } }
    test: { method: GET, path: /auth.test, expect_status: 200, expect_json: ${expectJson} }
connections:
  workspace: { connector: chat }
`, { secrets: { bot: TOKEN } })
  return { upstream, lk }
}

t.test('slack: ok: true when the status is 200 and the body says ok: true', async (t) => {
  const { upstream, lk } = await slackAt(t, answering('{"ok":true,"team":"Acme","user_id":"U1"}'))
  const result = await lk.gateway.testConnection('workspace')
  t.same(result.error, undefined)
  t.equal(result.ok, true)
  t.equal(result.status, 200)
  t.equal(upstream.last().method, 'GET')
  t.equal(upstream.last().url, '/api/auth.test')
  t.equal(upstream.last().headers.authorization, `Bearer ${TOKEN}`)
})

t.test('slack: a 200 whose body says ok: false fails, naming the path and not the value', async (t) => {
  const { lk } = await slackAt(t, answering('{"ok":false,"error":"invalid_auth"}'))
  const result = await lk.gateway.testConnection('workspace')
  t.equal(result.ok, false)
  t.equal(result.status, 200)
  t.same(result.error, { code: 'unexpected_answer', message: "the answer's ok is not the expected value" })
  t.notOk(JSON.stringify(result).includes('invalid_auth'), 'nothing of the answer in the result')
  t.notOk(JSON.stringify(result).includes(TOKEN), 'no credential in the result')
})

t.test('slack: strict equality ("true" or 1 is not true); a missing path fails', async (t) => {
  for (const body of ['{"ok":"true"}', '{"ok":1}', '{}', '[]', 'null', '{"ok":null}', '[{"ok":true}]']) {
    const { lk } = await slackAt(t, answering(body))
    const result = await lk.gateway.testConnection('workspace')
    t.equal(result.ok, false, body)
    t.same(result.error, { code: 'unexpected_answer', message: "the answer's ok is not the expected value" }, body)
  }
})

t.test('slack: a body that is not JSON fails', async (t) => {
  for (const body of ['<html>Service Unavailable</html>', '', '{"ok":true']) {
    const { lk } = await slackAt(t, answering(body, 'text/html'))
    const result = await lk.gateway.testConnection('workspace')
    t.equal(result.ok, false, body)
    t.equal(result.status, 200)
    t.same(result.error, { code: 'unexpected_answer', message: 'the answer is not JSON' }, body)
  }
})

t.test('slack: a wrong status fails whatever the body says', async (t) => {
  const { lk } = await slackAt(t, (_req, res) => { res.writeHead(500, { 'content-type': 'application/json' }).end('{"ok":true}') })
  const result = await lk.gateway.testConnection('workspace')
  t.equal(result.ok, false)
  t.equal(result.status, 500)
})

t.test('an answer over 1 MiB is not read past the limit and fails', async (t) => {
  const big = Buffer.alloc(1024 * 1024 + 10, 0x20)
  big.write('{"ok":true}')
  const { lk } = await slackAt(t, answering(big))
  const result = await lk.gateway.testConnection('workspace')
  t.equal(result.ok, false)
  t.equal(result.error?.code, 'unexpected_answer')
  t.match(result.error?.message, /larger than 1 MiB/)

  // Exactly 1 MiB is still read and checked.
  const edge = Buffer.alloc(1024 * 1024, 0x20)
  edge.write('{"ok":true}')
  const fits = await slackAt(t, answering(edge))
  t.equal((await fits.lk.gateway.testConnection('workspace')).ok, true)
})

t.test('YAML expect_json: nested paths and array indexes, every one compared', async (t) => {
  const expect = '{ "team.plan": pro, "members[1].id": u7 }'
  const body = (id: string) => JSON.stringify({ ok: true, team: { plan: 'pro' }, members: [{ id: 'u1' }, { id }] })
  const good = await gatewayFor(t, answering(body('u7')), expect)
  t.equal((await good.lk.gateway.testConnection('workspace')).ok, true)

  const bad = await gatewayFor(t, answering(body('u8')), expect)
  const result = await bad.lk.gateway.testConnection('workspace')
  t.equal(result.ok, false)
  t.same(result.error, { code: 'unexpected_answer', message: "the answer's members[1].id is not the expected value" })
})

// The config validator coerces types (Ajv coerceTypes) and the expect_json value union starts
// with string, so a YAML `true` or `7` arrives as "true" / "7". Passes once schema.ts gives the
// values one multi-type schema ({ type: [string, number, boolean, null] }), which Ajv leaves alone.
t.test('YAML expect_json keeps booleans and numbers as written', async (t) => {
  const { lk } = await gatewayFor(t, answering('{"ok":true,"count":7}'), '{ ok: true, count: 7 }')
  const result = await lk.gateway.testConnection('workspace')
  t.equal(result.ok, true)
})

t.test('expect_json keys are checked at load as JSON paths', async (t) => {
  const problems = problemsOf(`
connectors:
  chat:
    base_url: https://slack.com/api
    auth: { methods: { none: { type: none } } }
    test: { path: /auth.test, expect_json: { ok: true, "a..b": 1, "[x]": 2, "team.name": Acme, "[0].id": x } }
`)
  t.equal(problems.length, 2, problems.join('\n'))
  t.match(problems[0], /^6:\d+: connectors\.chat\.test\.expect_json\.a\.\.b: 'a\.\.b' is not a path such as a\.b\[0\]\.c$/)
  t.match(problems[1], /^6:\d+: connectors\.chat\.test\.expect_json\.\[x\]: '\[x\]' is not a path such as a\.b\[0\]\.c$/)
})
