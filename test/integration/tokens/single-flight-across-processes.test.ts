/**
 * SPEC 7.1: two gateway processes sharing one Redis; 200 concurrent cold requests split between
 * them cause exactly one token request (Redis lock with an owner, re-check after locking,
 * pub/sub wake-up). The token endpoint is slow (300 ms) so the two processes overlap.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import t from 'tap'
import { generateMasterKey, parseMasterKey } from '../../../src/secrets/master-key.js'
import { openSealedStore } from '../../../src/secrets/open-store.js'
import { latchkeyCli, startGatewayProcess } from '../../helpers/gateway-process.js'
import { testRedis } from '../../helpers/redis.js'
import { tokenEndpoint } from '../../helpers/token-endpoint.js'
import { recordingUpstream } from '../../helpers/upstream.js'

const CONCURRENCY = 200
const CLIENT_SECRET = 'cs-two-processes-4e5f6a7b'

t.test('two processes, one Redis: exactly one token request', async (t) => {
  const redis = await testRedis(t)
  const idp = await tokenEndpoint(t, { delayMs: 300 })
  const upstream = await recordingUpstream(t)
  const dir = await mkdtemp(path.join(tmpdir(), 'latchkey-procs-'))
  t.teardown(() => rm(dir, { recursive: true, force: true }))
  const masterKey = generateMasterKey()
  const store = await openSealedStore({ type: 'file', path: path.join(dir, 'data') }, parseMasterKey(masterKey))
  await store.put('secret', 'cs', CLIENT_SECRET)
  await store.close()
  const configFile = path.join(dir, 'latchkey.yaml')
  await writeFile(configFile, `
server: { host: 127.0.0.1, port: 0, allow_private_upstreams: true, log_level: info }
store: { type: file, path: ${path.join(dir, 'data')} }
cache: { type: redis, url: "${redis.url}", key_prefix: "${redis.prefix}" }
connectors:
  api:
    base_url: ${upstream.url}
    auth:
      default: none
      methods:
        none: { type: none }
        cc: { type: oauth_client_credentials, token_url: "${idp.url}", client_id: procs-client, client_secret: "{{ get_secret('cs') }}" }
connections:
  api: { connector: api, auth: cc, access: { anonymous: true } }
  warm: { connector: api, auth: none, access: { anonymous: true } }
`)
  const env = { LATCHKEY_MASTER_KEY: masterKey }
  const cli = latchkeyCli()
  const spawned = performance.now()
  const [a, b] = await Promise.all([startGatewayProcess(t, configFile, env, dir), startGatewayProcess(t, configFile, env, dir)])
  t.comment(`${path.relative(process.cwd(), cli)}: both processes listening after ${Math.round(performance.now() - spawned)} ms`)
  t.not(a.url, b.url, 'two listeners')

  // Warm both processes (JIT, sockets to them and to the upstream) without touching the token path.
  await Promise.all(Array.from({ length: CONCURRENCY }, async (_, i) => {
    const res = await fetch(`${(i % 2 === 0 ? a : b).url}/proxy/warm/item/${i}`)
    await res.text()
  }))
  upstream.received.length = 0

  const started = performance.now()
  const results = await Promise.all(Array.from({ length: CONCURRENCY }, async (_, i) => {
    const res = await fetch(`${(i % 2 === 0 ? a : b).url}/proxy/api/item/${i}`)
    const text = await res.text()
    return { status: res.status, text, ms: Math.round(performance.now() - started), proc: i % 2 }
  }))
  const ms = Math.round(performance.now() - started)
  t.same(results.filter((r) => r.status !== 200), [], 'every request succeeds')
  t.equal(idp.requests.length, 1, 'exactly one token request across both processes')
  t.equal(upstream.received.length, CONCURRENCY)
  t.same(new Set(upstream.received.map((r) => r.headers.authorization)), new Set([`Bearer ${idp.issued[0]}`]), 'every request carries that token')
  t.comment(`${CONCURRENCY} cold requests over two processes in ${ms} ms (token endpoint 300 ms)`)
  t.comment('first, median, last response (ms) per process: ' + JSON.stringify([0, 1].map((p) => results.filter((r) => r.proc === p).map((r) => r.ms).sort((x, y) => x - y)).map((l) => [l[0], l[50], l.at(-1)])))

  const stored = await redis.client.keys(`${redis.prefix}*`)
  t.ok(stored.some((k) => k.startsWith(`${redis.prefix}token:`)), 'the token is in the shared tier')
  t.notOk(stored.some((k) => k.startsWith(`${redis.prefix}token-lock:`)), 'no lock is left behind')

  const logs = [...a.logs, ...b.logs, a.stderr(), b.stderr()]
  for (const secret of [CLIENT_SECRET, idp.issued[0]!, masterKey]) {
    t.notOk(logs.some((l) => l.includes(secret)), 'no secret or token in the process logs')
  }
})
