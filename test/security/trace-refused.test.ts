/**
 * Defends: TRACE never reaches an upstream (SPEC 6.3). An upstream's standard TRACE echo would
 * return the request as received, injected credential included, to the caller.
 */
import t from 'tap'
import { startGateway } from '../helpers/gateway.js'
import { errorCode, rawRequest } from '../helpers/raw-http.js'
import { recordingUpstream } from '../helpers/upstream.js'

t.test('TRACE is 405 method_not_allowed and the upstream is not contacted', async (t) => {
  const upstream = await recordingUpstream(t, (req, res) => {
    // A standard TRACE echo: exactly what a credential-returning upstream would do.
    res.writeHead(200, { 'content-type': 'message/http' })
    res.end(JSON.stringify(req.headers))
  })
  const gw = await startGateway(t, `
connectors:
  echo:
    base_url: ${upstream.url}
    auth: { methods: { key: { type: bearer, token: "{{ get_secret('echo_token') }}" } } }
connections:
  echo: { connector: echo, access: { anonymous: true } }
`, { secrets: { echo_token: 'tok-trace-secret-123' } })

  for (const path of ['/proxy/echo/anything', '/proxy/echo', '/healthz', '/admin/connections']) {
    const res = await rawRequest(gw.url, { method: 'TRACE', path })
    t.equal(res.status, 405, `${path}: 405`)
    t.equal(errorCode(res.text), 'method_not_allowed', `${path}: method_not_allowed`)
    t.notOk(res.text.includes('tok-trace-secret-123'), `${path}: no credential in the answer`)
  }
  t.equal(upstream.received.length, 0, 'the upstream saw nothing')
})
