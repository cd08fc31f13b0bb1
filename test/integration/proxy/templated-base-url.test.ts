/**
 * SPEC 6.4 host safety end to end: a templated base URL must render to a host matching the
 * connector's `allowed_hosts`, and to a public address unless `allow_private_upstreams`. A
 * refused host is answered 400 invalid_path (the SPEC 6.5 code for every rule of 6.4) and never
 * contacted. Operator-written (static) base URLs are trusted as written.
 */
import t from 'tap'
import { startGateway } from '../../helpers/gateway.js'
import { recordingUpstream } from '../../helpers/upstream.js'

const errorOf = async (res: Response) => (await res.json() as { error: { code: string, message: string } }).error

t.test('allowed_hosts decides where a templated base URL may point', async (t) => {
  const upstream = await recordingUpstream(t)
  const lk = await startGateway(t, `
server: { allow_private_upstreams: true }
connectors:
  loopback:
    base_url: "http://{{ connection.config.host }}:${upstream.port}/base"
    allowed_hosts: ["127.0.0.1"]
    auth: { methods: { none: { type: none } } }
  named:
    base_url: "http://{{ connection.config.host }}:${upstream.port}/base"
    allowed_hosts: ["api.example.com", "*.tenant.example.com"]
    auth: { methods: { none: { type: none } } }
connections:
  allowed: { connector: loopback, config: { host: 127.0.0.1 }, access: { anonymous: true } }
  not-listed: { connector: named, config: { host: 127.0.0.1 }, access: { anonymous: true } }
  glob-too-deep: { connector: named, config: { host: a.b.tenant.example.com }, access: { anonymous: true } }
  userinfo: { connector: named, config: { host: "api.example.com@127.0.0.1" }, access: { anonymous: true } }
  query-in-host: { connector: named, config: { host: "api.example.com?x=" }, access: { anonymous: true } }
  fragment-in-host: { connector: named, config: { host: "api.example.com#x" }, access: { anonymous: true } }
  suffix: { connector: loopback, config: { host: "127.0.0.1.evil.com" }, access: { anonymous: true } }
`)

  const res = await lk.fetch('/proxy/allowed/v1/x?q=1')
  t.equal(res.status, 200, 'a host in allowed_hosts passes')
  await res.text()
  t.equal(upstream.last().url, '/base/v1/x?q=1')
  t.equal(upstream.last().headers.host, `127.0.0.1:${upstream.port}`)

  // 127.0.0.1 is the upstream itself: "never contacted" is observable.
  for (const [conn, status, code] of [
    ['not-listed', 400, 'invalid_path'],
    ['glob-too-deep', 400, 'invalid_path'],
    ['suffix', 400, 'invalid_path'],
    // Credentials in a rendered base URL make it ambiguous which host is meant: a 6.4 refusal.
    ['userinfo', 400, 'invalid_path'],
    ['query-in-host', 400, 'invalid_path'],
    ['fragment-in-host', 400, 'invalid_path'],
  ] as const) {
    const before = upstream.received.length
    const refused = await lk.fetch(`/proxy/${conn}/v1/x`)
    t.equal(refused.status, status, `${conn}: ${status}`)
    t.equal((await errorOf(refused)).code, code, `${conn}: ${code}`)
    t.equal(upstream.received.length, before, `${conn}: the upstream was never contacted`)
  }
})

t.test('without allow_private_upstreams a templated base URL may not reach private addresses', async (t) => {
  const upstream = await recordingUpstream(t)
  const lk = await startGateway(t, `
server: { allow_private_upstreams: false }
connectors:
  tpl:
    base_url: "http://{{ connection.config.host }}:${upstream.port}"
    allowed_hosts: ["127.0.0.1", "localhost", "[::1]"]
    auth: { methods: { none: { type: none } } }
  static:
    base_url: ${upstream.url}/static
    auth: { methods: { none: { type: none } } }
connections:
  ip: { connector: tpl, config: { host: 127.0.0.1 }, access: { anonymous: true } }
  short-ip: { connector: tpl, config: { host: "127.1" }, access: { anonymous: true } }
  hex-ip: { connector: tpl, config: { host: "0x7f.0.0.1" }, access: { anonymous: true } }
  v6: { connector: tpl, config: { host: "[::1]" }, access: { anonymous: true } }
  name: { connector: tpl, config: { host: localhost }, access: { anonymous: true } }
  static: { connector: static, access: { anonymous: true } }
`)

  // `localhost` is a name: refused by the guarded DNS lookup at connect time, not up front.
  for (const conn of ['ip', 'short-ip', 'hex-ip', 'v6', 'name']) {
    const refused = await lk.fetch(`/proxy/${conn}/v1/x`)
    t.equal(refused.status, 400, `${conn}: 400`)
    const error = await errorOf(refused)
    t.equal(error.code, 'invalid_path', `${conn}: invalid_path`)
    t.match(error.message, /^upstream host is not allowed: .*server\.allow_private_upstreams/, `${conn}: says why without naming the address`)
  }
  t.equal(upstream.received.length, 0, 'the upstream was never contacted')

  const res = await lk.fetch('/proxy/static/v1/x')
  t.equal(res.status, 200, 'a static base_url on loopback is the operator\'s choice and is allowed')
  await res.text()
  t.equal(upstream.last().url, '/static/v1/x')
})

t.test('a templated base URL without allowed_hosts reaches no host at all', async (t) => {
  const upstream = await recordingUpstream(t)
  const lk = await startGateway(t, `
server: { allow_private_upstreams: true }
connectors:
  tpl:
    base_url: "http://{{ connection.config.host }}:${upstream.port}"
    auth: { methods: { none: { type: none } } }
connections:
  c: { connector: tpl, config: { host: 127.0.0.1 }, access: { anonymous: true } }
  generic: { connector: http, config: { base_url: "${upstream.url}/g" }, access: { anonymous: true } }
`)
  const refused = await lk.fetch('/proxy/c/x')
  t.equal(refused.status, 400)
  t.equal((await errorOf(refused)).code, 'invalid_path')
  t.equal(upstream.received.length, 0)

  const generic = await lk.fetch('/proxy/generic/x')
  t.equal(generic.status, 200, "the built-in http connector admits any host through allowed_hosts: ['**']")
  await generic.text()
  t.equal(upstream.last().url, '/g/x')
})
