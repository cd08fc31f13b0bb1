/**
 * SPEC 5: `request.path` is the upstream path: the base URL's path, then the forwarded rest,
 * without the query. A signature over it (`hmac_sha256`) covers what the upstream receives.
 */
import t from 'tap'
import { startGateway } from '../../helpers/gateway.js'
import { recordingUpstream } from '../../helpers/upstream.js'

t.test('request.path is the path the upstream receives', async (t) => {
  const upstream = await recordingUpstream(t)
  const lk = await startGateway(t, `
server: { allow_private_upstreams: true }
connectors:
  based:
    base_url: ${upstream.url}/api/v2
    auth: { methods: { sig: { type: custom, headers: { X-Path: "{{ request.method }} {{ request.path }}" } } } }
  rooted:
    base_url: ${upstream.url}
    auth: { methods: { sig: { type: custom, headers: { X-Path: "{{ request.path }}" } } } }
  templated:
    base_url: "http://{{ connection.config.host }}:${upstream.port}/t"
    allowed_hosts: [127.0.0.1]
    auth: { methods: { sig: { type: custom, headers: { X-Path: "{{ request.path }}" } } } }
connections:
  based: { connector: based, access: { anonymous: true } }
  rooted: { connector: rooted, access: { anonymous: true } }
  templated: { connector: templated, config: { host: 127.0.0.1 }, access: { anonymous: true } }
`)
  for (const [conn, sent, url, header] of [
    ['based', '/v1/items?limit=5', '/api/v2/v1/items?limit=5', 'GET /api/v2/v1/items'],
    ['rooted', '/v1/items?limit=5', '/v1/items?limit=5', '/v1/items'],
    ['templated', '/x/%2Fy', '/t/x/%2Fy', '/t/x/%2Fy'],
  ] as const) {
    const res = await lk.fetch(`/proxy/${conn}${sent}`)
    t.equal(res.status, 200, conn)
    await res.arrayBuffer()
    t.equal(upstream.last().url, url, `${conn}: upstream URL`)
    t.equal(upstream.last().headers['x-path'], header, `${conn}: request.path is the upstream path, as sent`)
  }
})
