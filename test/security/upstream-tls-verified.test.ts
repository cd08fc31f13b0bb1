/**
 * Upstream TLS is always verified: a self-signed certificate is refused with 502
 * upstream_unreachable, and the credential is never sent over that connection.
 */
import t from 'tap'
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { createServer } from 'node:https'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { startGateway } from '../helpers/gateway.js'

const dir = mkdtempSync(path.join(tmpdir(), 'latchkey-tls-'))
t.teardown(() => rmSync(dir, { recursive: true, force: true }))
execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '1',
  '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1',
  '-keyout', path.join(dir, 'key.pem'), '-out', path.join(dir, 'cert.pem')], { stdio: 'ignore' })

t.test('a self-signed upstream certificate is refused', async (t) => {
  let requests = 0
  const server = createServer({ key: readFileSync(path.join(dir, 'key.pem')), cert: readFileSync(path.join(dir, 'cert.pem')) }, (_req, res) => {
    requests++
    res.end('{}')
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  t.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())))
  const port = (server.address() as AddressInfo).port
  const lk = await startGateway(t, `
connectors:
  api:
    base_url: https://127.0.0.1:${port}
    auth: { methods: { b: { type: bearer, token: "tls-secret-token-9d8c7b" } } }
connections:
  open: { connector: api, access: { anonymous: true } }
`)
  const res = await lk.fetch('/proxy/open/x')
  t.equal(res.status, 502)
  const body = await res.json() as { error: { code: string, message: string } }
  t.equal(body.error.code, 'upstream_unreachable')
  t.match(body.error.message, /TLS|certificate/i)
  t.equal(requests, 0, 'no request was sent over the untrusted connection')
})
