/**
 * `npm run bench`: latchkey against the Node ceiling (bench/node-ceiling.mjs), a bare
 * @fastify/http-proxy and nginx when installed, all on loopback, each proxy in a process of its
 * own, driven by wrk (one thread) or autocannon. Prints a table with ratios to the ceiling, the
 * bare proxy and nginx measured in the same run, the scale checks (10,000 YAML connections,
 * 1,000 cached tokens, stored connections) and the targets of issue 11, and writes the same
 * numbers to bench/results.json. See "Benchmarks" in README.md.
 *
 *   npm run bench -- [--duration 5] [--warmup 2] [--connections 50] [--rounds 3]
 *                    [--only api_key,streaming,...] [--stream-mb 100] [--cold-requests 1000]
 *                    [--stored 100000] [--scale 10000] [--quick]
 *                    [--skip-info] [--skip-nginx] [--skip-scale] [--autocannon] [--profile] [--serve]
 *
 * --quick is a smoke run of every scenario (1 round of 1 s, 16 MB streamed, 10,000 stored) in
 * under two minutes: its numbers say that everything runs, not whether a target holds.
 *
 * --serve starts everything, prints the addresses and the caller key, and waits for Ctrl-C:
 * for poking at the processes by hand (curl, wrk, perf) with the bench's config.
 */
import { spawn, spawnSync } from 'node:child_process'
import { randomBytes, generateKeyPairSync } from 'node:crypto'
import { once } from 'node:events'
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, readdirSync, rmSync, writeFileSync, mkdirSync } from 'node:fs'
import http from 'node:http'
import net from 'node:net'
import { cpus, loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { setTimeout as sleep } from 'node:timers/promises'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { SignJWT } from 'jose'
import { formatSummary, summariseProfile } from './profile-summary.mjs'

const repo = fileURLToPath(new URL('../', import.meta.url))
const cli = join(repo, 'dist', 'cli.js')

const { values: args } = parseArgs({
  options: {
    duration: { type: 'string' },
    warmup: { type: 'string' },
    connections: { type: 'string', default: '50' },
    rounds: { type: 'string' },
    only: { type: 'string' },
    'stream-mb': { type: 'string' },
    'cold-requests': { type: 'string', default: '1000' },
    stored: { type: 'string' },
    scale: { type: 'string', default: '10000' },
    quick: { type: 'boolean', default: false },
    'skip-info': { type: 'boolean', default: false },
    'skip-nginx': { type: 'boolean', default: false },
    'skip-scale': { type: 'boolean', default: false },
    autocannon: { type: 'boolean', default: false },
    profile: { type: 'boolean', default: false },
    serve: { type: 'boolean', default: false },
  },
})
const QUICK = args.quick
/** An option given on the command line wins; otherwise the full run's default, or --quick's. */
const option = (name, full, quick) => args[name] ?? (QUICK ? quick : full)
const DURATION_S = positive(option('duration', '5', '1'), 'duration')
const WARMUP_S = Number(option('warmup', '2', '0.5'))
const CONNECTIONS = positive(args.connections, 'connections')
const ROUNDS = positive(option('rounds', '3', '1'), 'rounds')
const STREAM_MB = positive(option('stream-mb', '100', '16'), 'stream-mb')
const COLD_REQUESTS = positive(args['cold-requests'], 'cold-requests')
const STORED = positive(option('stored', '100000', '10000'), 'stored')
/** YAML connections of the second gateway (issue 11 part 4): SCALE_TOKENS client credentials, the rest api_key. */
const SCALE = positive(args.scale, 'scale')
const SCALE_TOKENS = Math.min(1000, SCALE)
const RUN_SCALE = !args['skip-scale']
/** The stored connection the `stored_api_key` scenario calls, in the middle of the others. */
const STORED_ID = `stored-${String(Math.floor(STORED / 2)).padStart(6, '0')}`
const ONLY = args.only === undefined ? undefined : args.only.split(',').map((s) => s.trim()).filter(Boolean)

function positive (text, name) {
  const n = Number(text)
  if (!(n > 0)) throw new Error(`--${name} must be a positive number, got ${text}`)
  return n
}

const selected = (name) => ONLY === undefined || ONLY.some((o) => name === o || name.startsWith(`${o}_`))
const onPath = (bin) => spawnSync('sh', ['-c', `command -v ${bin}`], { stdio: 'ignore' }).status === 0
const WRK = !args.autocannon && onPath('wrk')
const NGINX = !args['skip-nginx'] && onPath('nginx')
const notes = []
if (!WRK) notes.push(args.autocannon ? 'load generator: autocannon (--autocannon)' : 'wrk is not on PATH: load generator is autocannon')
if (!NGINX) notes.push(args['skip-nginx'] ? 'nginx skipped (--skip-nginx)' : 'nginx is not on PATH: the nginx row is skipped')
if (QUICK) notes.push('--quick: a smoke run (one short round); its ratios are not a measurement and its targets are not judged')

// ---------------------------------------------------------------------------------------------
// processes

const work = mkdtempSync(join(tmpdir(), 'latchkey-bench-'))
/** [startUs, endUs] of every latchkey (warn) measurement, for --profile. */
const profileWindows = []
/** The same for the scale gateway (profiled too with --profile). */
const scaleProfileWindows = []
const children = new Set()

function track (child, name) {
  children.add(child)
  child.once('exit', (code, signal) => {
    children.delete(child)
    if (!stopping && (code !== 0 || signal !== null)) process.stderr.write(`bench: ${name} (pid ${child.pid}) exited with ${signal ?? `code ${code}`}\n`)
  })
  return child
}
let stopping = false

async function stopAll () {
  stopping = true
  await Promise.all([...children].map(async (child) => {
    if (child.exitCode !== null || child.signalCode !== null) return
    const exited = once(child, 'exit')
    child.kill('SIGTERM')
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000)
    await exited
    clearTimeout(timer)
  }))
}
process.on('exit', () => {
  for (const child of children) child.kill('SIGKILL')
  rmSync(work, { recursive: true, force: true })
})
for (const signal of ['SIGINT', 'SIGTERM']) process.once(signal, () => { stopAll().finally(() => process.exit(130)) })

/** Spawns a node script that prints one JSON line on stdout when ready; resolves with it. */
async function spawnReady (name, argv) {
  const child = track(spawn(process.execPath, argv, { cwd: repo, stdio: ['ignore', 'pipe', 'inherit'] }), name)
  let buffered = ''
  const line = await new Promise((resolve, reject) => {
    child.stdout.on('data', (chunk) => {
      buffered += chunk
      const nl = buffered.indexOf('\n')
      if (nl !== -1) resolve(buffered.slice(0, nl))
    })
    child.once('exit', (code) => reject(new Error(`${name} exited (${code}) before it was ready`)))
  })
  child.stdout.resume()
  return { child, ready: JSON.parse(line) }
}

function freePort () {
  return new Promise((resolve, reject) => {
    const server = net.createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address()
      server.close(() => resolve(port))
    })
  })
}

function memory (pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8')
  const kb = (field) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN)
  return { rssMb: kb('VmRSS') / 1024, hwmMb: kb('VmHWM') / 1024 }
}

/** User + system CPU time of a process so far, in ms (/proc/<pid>/stat, clock ticks of 10 ms). */
function cpuMs (pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  return (Number(fields[11]) + Number(fields[12])) * 10
}

/** Resets VmHWM to the current RSS (Linux >= 4.0); false when not permitted. */
function resetPeak (pid) {
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, '5')
    return true
  } catch {
    return false
  }
}

// ---------------------------------------------------------------------------------------------
// latchkey: secrets, config, processes

const MASTER_KEY = randomBytes(32).toString('base64')
const PREFIX = `bench:${randomBytes(6).toString('hex')}:`
const SECRETS = {
  bench_caller_key: `lk-bench-${randomBytes(16).toString('hex')}`,
  upstream_api_key: `up-${randomBytes(16).toString('hex')}`,
  cc_client_secret: `cs-${randomBytes(16).toString('hex')}`,
  user_jwt_secret: randomBytes(32).toString('base64url'),
  rsa_key: generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }),
  ec_key: generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }),
}
const USER_ISSUER = 'https://issuer.bench.invalid/'
const USER_AUDIENCE = 'latchkey-bench'

function latchkeyConfig ({ upstream, port, logLevel, scale = 0 }) {
  const claims = (alg) => `{ iss: latchkey-bench, sub: "{{ connection.id }}", aud: upstream, alg_used: ${alg}, iat: "{{ now() }}", exp: "{{ now(300) }}" }`
  return `# generated by bench/run.mjs
server:
  host: 127.0.0.1
  port: ${port}
  log_level: ${logLevel}
  allow_private_upstreams: true
  upstream_timeout: 60s
store: { type: file, path: ${JSON.stringify(join(work, 'store'))} }
cache: { type: redis, url: "redis://127.0.0.1:6379/0", key_prefix: "${PREFIX}" }
callers:
  api_keys:
    bench: { key: "{{ get_secret('bench_caller_key') }}" }
  jwt:
    secret: "{{ get_secret('user_jwt_secret') }}"
    algorithms: [HS256]
    issuer: ${USER_ISSUER}
    audience: ${USER_AUDIENCE}
connectors:
  bench_api_key:
    base_url: ${upstream}
    auth:
      default: key
      methods:
        key: { type: api_key, key: X-Api-Key, value: "{{ get_secret('upstream_api_key') }}" }
  bench_stored:
    base_url: ${upstream}
    inputs: [{ name: api_key, type: password, required: true }]
    auth:
      default: key
      methods:
        key: { type: api_key, key: X-Api-Key, value: "{{ connection.credentials.api_key }}" }
  bench_oauth2:
    base_url: ${upstream}
    auth:
      default: oauth
      methods:
        oauth: { type: oauth2, authorize_url: "https://idp.bench.invalid/authorize", token_url: "${upstream}/token", client_id: bench-oauth2, client_secret: "{{ get_secret('cc_client_secret') }}" }
  bench_cc:
    base_url: ${upstream}
    auth:
      default: cc
      methods:
        cc: { type: oauth_client_credentials, client_id: "{{ connection.config.client_id }}", client_secret: "{{ get_secret('cc_client_secret') }}", token_url: "${upstream}/token", scope: "read write" }
        cold: { type: oauth_client_credentials, client_id: "{{ connection.config.client_id }}", client_secret: "{{ get_secret('cc_client_secret') }}", token_url: "${upstream}/token?delay_ms=50", scope: "read write" }
  bench_jwt:
    base_url: ${upstream}
    auth:
      default: rs256
      methods:
        rs256: { type: jwt, algorithm: RS256, private_key: "{{ get_secret('rsa_key') }}", claims: ${claims('RS256')} }
        es256: { type: jwt, algorithm: ES256, private_key: "{{ get_secret('ec_key') }}", claims: ${claims('ES256')} }
  bench_jwt_bearer:
    base_url: ${upstream}
    auth:
      default: jb
      methods:
        jb: { type: oauth_jwt_bearer, client_id: bench-svc, subject: bench-svc@example.invalid, audience: "${upstream}/token", token_url: "${upstream}/token", private_key: "{{ get_secret('rsa_key') }}" }
connections:
  api_key: { connector: bench_api_key, access: { callers: [bench] } }
  oauth_client_credentials: { connector: bench_cc, auth: cc, config: { client_id: warm-client }, access: { callers: [bench] } }
  cold_start: { connector: bench_cc, auth: cold, config: { client_id: cold-client }, access: { callers: [bench] } }
  jwt_rs256: { connector: bench_jwt, auth: rs256, access: { callers: [bench] } }
  jwt_es256: { connector: bench_jwt, auth: es256, access: { callers: [bench] } }
  oauth_jwt_bearer: { connector: bench_jwt_bearer, access: { callers: [bench] } }
  user_jwt: { connector: bench_api_key, access: { users: true, allow: ["GET /v1/**", "POST /stream/upload"] } }
${scaleConnections(scale)}`
}

const scaleTokenId = (i) => `cc-${String(i).padStart(4, '0')}`

/**
 * The scale gateway's extra YAML connections: SCALE_TOKENS client-credentials connections, each
 * with a client id (and so a cached token) of its own, then api_key connections up to `count`.
 */
function scaleConnections (count) {
  const lines = []
  for (let i = 0; i < count; i++) {
    lines.push(i < SCALE_TOKENS
      ? `  ${scaleTokenId(i)}: { connector: bench_cc, auth: cc, config: { client_id: ${scaleTokenId(i)} }, access: { callers: [bench] } }`
      : `  key-${String(i).padStart(6, '0')}: { connector: bench_api_key, access: { callers: [bench], allow: ["GET /v1/**"] } }`)
  }
  return lines.length === 0 ? '' : `${lines.join('\n')}\n`
}

/** Seals the secrets into the file store both latchkey processes read (dist/secrets, as the CLI does). */
async function sealSecrets () {
  const { openSealedStore } = await import(join(repo, 'dist', 'secrets', 'open-store.js'))
  const { parseMasterKey } = await import(join(repo, 'dist', 'secrets', 'master-key.js'))
  const store = await openSealedStore({ type: 'file', path: join(work, 'store') }, parseMasterKey(MASTER_KEY))
  try {
    for (const [name, value] of Object.entries(SECRETS)) await store.put('secret', name, value)
  } finally {
    await store.close()
  }
}

/**
 * Adds `count` stored connections (SPEC 8.1 records, sealed like the gateway seals them) to the
 * file store in one write: a put per record would rewrite the whole file each time.
 */
async function seedStoredConnections (count) {
  const { createSealer, recordIdentity } = await import(join(repo, 'dist', 'secrets', 'seal.js'))
  const { readSnapshot, writeRecords } = await import(join(repo, 'dist', 'secrets', 'store-file.js'))
  const { parseMasterKey } = await import(join(repo, 'dist', 'secrets', 'master-key.js'))
  const sealer = await createSealer(parseMasterKey(MASTER_KEY))
  const file = join(work, 'store', 'store.json')
  const { records } = await readSnapshot(file)
  const at = new Date().toISOString()
  for (let i = 0; i < count; i++) {
    const id = `stored-${String(i).padStart(6, '0')}`
    const record = { v: 1, id, connector: 'bench_stored', auth: 'key', owner: `user-${i}`, config: {}, credentials: { api_key: SECRETS.upstream_api_key },
      access: { callers: ['bench'] }, status: 'connected', created_at: at, updated_at: at }
    const identity = recordIdentity('connection', id)
    records.set(identity, sealer.seal(identity, JSON.stringify(record)))
  }
  // One warm oauth2 connection, as the connect flow stores it: its token is good for hours.
  const now = Math.floor(Date.now() / 1000)
  const oauth2 = { v: 1, id: 'oauth2', connector: 'bench_oauth2', auth: 'oauth', owner: null, config: {},
    credentials: { access_token: SECRETS.upstream_api_key, refresh_token: 'rt-bench', expires_at: String(now + 86_400), refresh_at: String(now + 86_000), token_type: 'Bearer' },
    access: { callers: ['bench'] }, status: 'connected', created_at: at, updated_at: at }
  records.set(recordIdentity('connection', 'oauth2'), sealer.seal(recordIdentity('connection', 'oauth2'), JSON.stringify(oauth2)))
  await writeRecords(file, records)
}

async function startLatchkey ({ upstream, logLevel, profileDir, scale = 0, name = logLevel }) {
  const port = await freePort()
  const configFile = join(work, `latchkey-${name}.yaml`)
  writeFileSync(configFile, latchkeyConfig({ upstream, port, logLevel, scale }))
  const logFile = join(work, `latchkey-${name}.log`)
  const started = performance.now()
  const out = openSync(logFile, 'w')
  const flags = profileDir === undefined ? [] : ['--cpu-prof', `--cpu-prof-dir=${profileDir}`]
  const child = track(spawn(process.execPath, [...flags, cli, 'start', '-c', configFile],
    { cwd: repo, env: { ...process.env, LATCHKEY_MASTER_KEY: MASTER_KEY }, stdio: ['ignore', out, out] }), `latchkey (${name})`)
  closeSync(out)
  const address = `http://127.0.0.1:${port}`
  // Generous: 10,000 YAML connections took 27 s to start on the 2-core box at load average 15.
  const deadline = Date.now() + 120_000
  for (;;) {
    if (child.exitCode !== null) throw new Error(`latchkey exited (${child.exitCode}):\n${readFileSync(logFile, 'utf8')}`)
    // At warn the `latchkey listening` line is not logged: the port decides.
    const listening = readFileSync(logFile, 'utf8').split('\n').some((l) => l.includes('"latchkey listening"'))
    if (listening || (await get(`${address}/healthz`).catch(() => undefined))?.status === 200) break
    if (Date.now() > deadline) throw new Error(`latchkey did not start:\n${readFileSync(logFile, 'utf8')}`)
    await sleep(10)
  }
  return { child, address, logFile, configFile, profileDir, startMs: Math.round(performance.now() - started), startCpuMs: cpuMs(child.pid) }
}

/** CPU time (user + system, ms) of this process's children that have exited and been waited for. */
function childrenCpuMs () {
  const stat = readFileSync('/proc/self/stat', 'utf8')
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  return (Number(fields[13]) + Number(fields[14])) * 10
}

/** `latchkey validate` on a config file: wall and CPU time of the whole command, node's start included. */
async function timeValidate (configFile) {
  const cpuBefore = childrenCpuMs()
  const started = performance.now()
  const child = spawn(process.execPath, [cli, 'validate', '-c', configFile], { cwd: repo, stdio: ['ignore', 'pipe', 'inherit'] })
  let out = ''
  child.stdout.on('data', (c) => { out += c })
  const [code] = await once(child, 'exit')
  const ms = performance.now() - started
  if (code !== 0 || out.trim() !== 'ok') throw new Error(`latchkey validate ${configFile} failed (${code}):\n${out.slice(0, 2000)}`)
  return { ms: Math.round(ms), cpu_ms: childrenCpuMs() - cpuBefore }
}

// ---------------------------------------------------------------------------------------------
// HTTP helpers

const CHUNK = Buffer.alloc(64 * 1024, 0x62)

function get (url, headers = {}, agent = false) {
  return new Promise((resolve, reject) => {
    const started = performance.now()
    const req = http.get(url, { headers, agent }, (res) => {
      const chunks = []
      res.on('data', (c) => chunks.push(c))
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks).toString('utf8'), ms: performance.now() - started }))
      res.on('error', reject)
    })
    req.on('error', reject)
  })
}

function upload (url, bytes, headers) {
  return new Promise((resolve, reject) => {
    const started = performance.now()
    const req = http.request(url, { method: 'POST', agent: false, headers: { ...headers, 'content-type': 'application/octet-stream', 'content-length': bytes } })
    req.on('response', (res) => {
      let body = ''
      res.setEncoding('utf8')
      res.on('data', (c) => { body += c })
      res.on('end', () => resolve({ status: res.statusCode, body, ms: performance.now() - started }))
    })
    req.on('error', reject)
    let left = bytes
    const write = () => {
      while (left > 0) {
        const n = Math.min(left, CHUNK.length)
        left -= n
        if (!req.write(n === CHUNK.length ? CHUNK : CHUNK.subarray(0, n))) return void req.once('drain', write)
      }
      req.end()
    }
    write()
  })
}

function download (url, headers) {
  return new Promise((resolve, reject) => {
    const started = performance.now()
    http.get(url, { headers, agent: false }, (res) => {
      let bytes = 0
      res.on('data', (c) => { bytes += c.length })
      res.on('end', () => resolve({ status: res.statusCode, bytes, ms: performance.now() - started }))
      res.on('error', reject)
    }).on('error', reject)
  })
}

// ---------------------------------------------------------------------------------------------
// load generation

/** `paths`, when given, are requested in turn on every connection instead of `url`'s path. */
async function load (url, headers, seconds, paths = undefined) {
  return WRK ? wrk(url, headers, seconds, paths) : autocannonRun(url, headers, seconds, paths)
}

const WRK_DONE = `
done = function(summary, latency, requests)
  io.write(string.format('BENCHJSON {"requests":%d,"duration_us":%d,"p50_us":%d,"p99_us":%d,"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d}\\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    summary.errors.connect, summary.errors.read, summary.errors.write, summary.errors.status, summary.errors.timeout))
end
`

async function wrk (url, headers, seconds, paths) {
  const script = join(work, `wrk-${randomBytes(4).toString('hex')}.lua`)
  const lines = Object.entries(headers).map(([k, v]) => `wrk.headers[${JSON.stringify(k)}] = ${JSON.stringify(v)}`)
  if (paths !== undefined) {
    // Each request built on first use (wrk has set the Host header by then), then reused in turn.
    lines.push(`local paths = { ${paths.map((p) => JSON.stringify(p)).join(', ')} }`, 'local built = {}', 'local n = 0',
      'request = function() n = n % #paths + 1; local r = built[n]; if r == nil then r = wrk.format(nil, paths[n]); built[n] = r end; return r end')
  }
  writeFileSync(script, `${lines.join('\n')}\n${WRK_DONE}`)
  // wrk takes whole seconds only.
  const child = spawn('wrk', ['-t1', `-c${CONNECTIONS}`, `-d${Math.max(1, Math.round(seconds))}s`, '--timeout', '10s', '-s', script, url], { stdio: ['ignore', 'pipe', 'inherit'] })
  let out = ''
  child.stdout.on('data', (c) => { out += c })
  const [code] = await once(child, 'exit')
  const line = out.split('\n').find((l) => l.startsWith('BENCHJSON '))
  if (code !== 0 || line === undefined) throw new Error(`wrk failed (${code}):\n${out}`)
  const r = JSON.parse(line.slice('BENCHJSON '.length))
  return {
    rps: r.requests / (r.duration_us / 1e6),
    p50: r.p50_us / 1000,
    p99: r.p99_us / 1000,
    requests: r.requests,
    errors: r.connect + r.read + r.write + r.timeout,
    non2xx: r.status,
  }
}

async function autocannonRun (url, headers, seconds, paths) {
  const { default: autocannon } = await import('autocannon')
  const requests = paths === undefined ? undefined : paths.map((path) => ({ method: 'GET', path }))
  const result = await autocannon({ url, headers, connections: CONNECTIONS, duration: seconds, pipelining: 1, timeout: 10, ...(requests === undefined ? {} : { requests }) })
  return {
    rps: result.requests.total / result.duration,
    p50: result.latency.p50,
    p99: result.latency.p99,
    requests: result.requests.total,
    errors: result.errors + result.timeouts,
    non2xx: result.non2xx,
  }
}

// ---------------------------------------------------------------------------------------------
// scenarios

const PATH = '/v1/items?limit=10'

async function userToken () {
  return new SignJWT({ name: 'Bench User' }).setProtectedHeader({ alg: 'HS256' })
    .setIssuer(USER_ISSUER).setAudience(USER_AUDIENCE).setSubject('user-42').setIssuedAt().setExpirationTime('2h')
    .sign(Buffer.from(SECRETS.user_jwt_secret, 'utf8'))
}

/** The upstream must see what the scenario is about, and never the caller's credentials. */
async function verify (scenario, base) {
  const res = await get(`${base}${scenario.prefix}/v1/echo`, scenario.headers)
  if (res.status !== 200) throw new Error(`${scenario.name}: expected 200, got ${res.status}: ${res.body.slice(0, 300)}`)
  const seen = JSON.parse(res.body).headers
  const problem = scenario.expect(seen)
  if (problem !== undefined) throw new Error(`${scenario.name}: ${problem}`)
  if (scenario.prefix !== '' && (seen['x-latchkey-key'] !== undefined ||
    (scenario.headers.authorization !== undefined && seen.authorization === scenario.headers.authorization))) {
    throw new Error(`${scenario.name}: the caller's credential reached the upstream`)
  }
}

const bearerToken = (seen) => seen.authorization?.startsWith('Bearer tok-') ? undefined : 'upstream saw no token from the token endpoint'
const signedJwt = (seen) => /^Bearer ey[\w-]+\.[\w-]+\.[\w-]+$/.test(seen.authorization ?? '') ? undefined : 'upstream saw no signed JWT'
const storedBearer = (seen) => seen.authorization === `Bearer ${SECRETS.upstream_api_key}` ? undefined : 'upstream saw no stored Bearer token'
const apiKey = (seen) => seen['x-api-key'] === SECRETS.upstream_api_key ? undefined : 'upstream saw no X-Api-Key'
const staticHeader = (seen) => seen['x-bench-proxy'] !== undefined ? undefined : 'upstream saw no static header'

function scenarios (user) {
  const key = { 'x-latchkey-key': SECRETS.bench_caller_key }
  return [
    { name: 'ceiling', target: 'ceiling', prefix: '', headers: {}, expect: staticHeader, what: 'Node ceiling: node:http and one undici Pool, one header' },
    { name: 'bare', target: 'bare', prefix: '', headers: {}, expect: staticHeader, what: 'bare @fastify/http-proxy, one static header' },
    { name: 'nginx', target: 'nginx', prefix: '', headers: {}, expect: staticHeader, what: 'nginx, one static header' },
    { name: 'api_key', target: 'latchkey', prefix: '/proxy/api_key', headers: key, expect: apiKey, what: 'api_key header injection' },
    { name: 'stored_api_key', target: 'latchkey', prefix: `/proxy/${STORED_ID}`, headers: key, expect: apiKey, what: `api_key on one of ${STORED} stored connections` },
    { name: 'oauth_client_credentials', target: 'latchkey', prefix: '/proxy/oauth_client_credentials', headers: key, expect: bearerToken, what: 'client credentials, warm, Redis cache' },
    { name: 'oauth2', target: 'latchkey', prefix: '/proxy/oauth2', headers: key, expect: storedBearer, what: 'oauth2, warm stored token' },
    { name: 'jwt_rs256', target: 'latchkey', prefix: '/proxy/jwt_rs256', headers: key, expect: signedJwt, what: 'jwt RS256 per request (memoised)' },
    { name: 'jwt_es256', target: 'latchkey', prefix: '/proxy/jwt_es256', headers: key, expect: signedJwt, what: 'jwt ES256 per request (memoised)' },
    { name: 'oauth_jwt_bearer', target: 'latchkey', prefix: '/proxy/oauth_jwt_bearer', headers: key, expect: bearerToken, what: 'jwt bearer, warm, Redis cache' },
    { name: 'user_jwt', target: 'latchkey', prefix: '/proxy/user_jwt', headers: { authorization: `Bearer ${user}` }, expect: apiKey, what: 'user JWT (HS256) caller, allow list' },
    // The scale gateway: the same config plus SCALE YAML connections.
    { name: 'scale_api_key', target: 'latchkey_scale', prefix: '/proxy/api_key', headers: key, expect: apiKey, what: `api_key with ${SCALE} more YAML connections loaded` },
    // One token on the same gateway: the yardstick for the spread below, so the 1,000-token
    // target measures the number of tokens alone (the 10,000 loaded have scale_api_key's target).
    { name: 'scale_cc_one', target: 'latchkey_scale', prefix: `/proxy/${scaleTokenId(0)}`, headers: key, expect: bearerToken, what: `client credentials, one warm token, ${SCALE} more connections loaded` },
    { name: 'scale_cc_tokens', target: 'latchkey_scale', prefix: `/proxy/${scaleTokenId(0)}`, headers: key, expect: bearerToken,
      paths: Array.from({ length: SCALE_TOKENS }, (_, i) => `/proxy/${scaleTokenId(i)}${PATH}`), what: `client credentials, requests spread over ${SCALE_TOKENS} connections and warm tokens` },
    // Last: another process (log_level info), so the scenarios compared with api_key run next to it.
    { name: 'api_key_info', target: 'latchkey_info', prefix: '/proxy/api_key', headers: key, expect: apiKey, what: 'api_key, log_level info' },
  ]
}

// ---------------------------------------------------------------------------------------------
// nginx

async function startNginx (upstreamPort) {
  const dir = join(work, 'nginx')
  mkdirSync(dir, { recursive: true })
  const port = await freePort()
  const user = process.getuid?.() === 0 ? 'user root;\n' : ''
  const conf = join(dir, 'nginx.conf')
  writeFileSync(conf, `${user}worker_processes 1;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path ${dir}/client_body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  upstream bench_upstream { server 127.0.0.1:${upstreamPort}; keepalive 64; keepalive_requests 100000; }
  server {
    listen 127.0.0.1:${port};
    keepalive_requests 100000;
    client_max_body_size 0;
    location / {
      proxy_pass http://bench_upstream;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header X-Bench-Proxy nginx;
      proxy_request_buffering off;
      proxy_buffering off;
    }
  }
}
`)
  const child = track(spawn('nginx', ['-p', dir, '-c', conf, '-e', join(dir, 'error.log'), '-g', 'daemon off;'], { stdio: ['ignore', 'ignore', 'inherit'] }), 'nginx')
  const address = `http://127.0.0.1:${port}`
  const deadline = Date.now() + 10_000
  while ((await get(`${address}/`).catch(() => undefined)) === undefined) {
    if (child.exitCode !== null) throw new Error(`nginx exited (${child.exitCode}): ${readFileSync(join(dir, 'error.log'), 'utf8')}`)
    if (Date.now() > deadline) throw new Error('nginx did not start')
    await sleep(100)
  }
  // The master's pid is ours; the worker does the work.
  const worker = spawnSync('pgrep', ['-P', String(child.pid)], { encoding: 'utf8' }).stdout.trim().split('\n')[0]
  return { child, address, pid: Number(worker) || child.pid }
}

// ---------------------------------------------------------------------------------------------
// main

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b)
  const m = s.length >> 1
  return s.length % 2 === 1 ? s[m] : (s[m - 1] + s[m]) / 2
}
const round1 = (x) => Math.round(x * 10) / 10
const round2 = (x) => Math.round(x * 100) / 100

async function main () {
  if (!existsSync(cli)) throw new Error('dist/cli.js is missing: run `npm run bench` (it builds first)')
  const benchStarted = performance.now()
  const { ready: { port: upstreamPort } } = await spawnReady('upstream', [join(repo, 'bench', 'servers.mjs')])
  const upstream = `http://127.0.0.1:${upstreamPort}`
  const user = await userToken()
  const all = scenarios(user)
  const byName = (name) => all.find((s) => s.name === name)
  const wanted = all.filter((s) => s.target.startsWith('latchkey') && selected(s.name))
    .filter((s) => !(args['skip-info'] && s.target === 'latchkey_info'))
    .filter((s) => !(!RUN_SCALE && s.target === 'latchkey_scale'))
  const runStreaming = selected('streaming')
  const runCold = selected('cold_start')
  const runLoadTime = RUN_SCALE && selected('scale_load')
  if (wanted.length === 0 && !runStreaming && !runCold && !runLoadTime) {
    throw new Error(`--only ${args.only}: no such scenario (${[...all.map((s) => s.name), 'streaming', 'cold_start', 'scale_load'].join(', ')})`)
  }

  await sealSecrets()
  // Start-up with no stored connection (then with STORED of them: what a large store costs), and
  // with SCALE more YAML connections: what loading them costs, with `latchkey validate` as well.
  const empty = await startLatchkey({ upstream, logLevel: 'warn' })
  empty.child.kill('SIGTERM')
  await once(empty.child, 'exit')
  let loadTime
  if (runLoadTime) loadTime = await measureLoadTime(upstream, empty)
  const seedStarted = performance.now()
  await seedStoredConnections(STORED)
  process.stderr.write(`seeded ${STORED} stored connections in ${Math.round(performance.now() - seedStarted)} ms\n`)

  const profileDir = args.profile ? mkdtempSync(join(tmpdir(), 'latchkey-profile-')) : undefined
  const bare = await spawnReady('bare proxy', [join(repo, 'bench', 'bare-proxy.mjs'), upstream])
  const ceiling = await spawnReady('node ceiling', [join(repo, 'bench', 'node-ceiling.mjs'), upstream])
  const targets = {
    ceiling: { address: ceiling.ready.address, pid: ceiling.child.pid },
    bare: { address: bare.ready.address, pid: bare.child.pid },
    latchkey: await startLatchkey({ upstream, logLevel: 'warn', profileDir }),
  }
  targets.latchkey.pid = targets.latchkey.child.pid
  if (wanted.some((s) => s.target === 'latchkey_info')) {
    const info = await startLatchkey({ upstream, logLevel: 'info' })
    targets.latchkey_info = { ...info, pid: info.child.pid }
  }
  if (wanted.some((s) => s.target === 'latchkey_scale')) {
    const scaled = await startLatchkey({ upstream, logLevel: 'warn', scale: SCALE, name: 'scale', profileDir: profileDir === undefined ? undefined : mkdtempSync(join(tmpdir(), 'latchkey-profile-scale-')) })
    targets.latchkey_scale = { ...scaled, pid: scaled.child.pid }
  }
  const withNginx = NGINX && (ONLY === undefined || selected('nginx'))
  if (withNginx) targets.nginx = await startNginx(upstreamPort)

  const loadScenarios = [byName('ceiling'), byName('bare'), ...(withNginx ? [byName('nginx')] : []), ...wanted]
  for (const s of loadScenarios) await verify(s, targets[s.target].address)
  const spread = wanted.find((s) => s.paths !== undefined)
  const tokensWarmed = spread === undefined ? undefined : await warmTokens(spread, targets[spread.target].address, upstream)
  if (args.serve) {
    process.stdout.write(JSON.stringify({
      upstream,
      ...Object.fromEntries(Object.entries(targets).map(([name, t]) => [name, { address: t.address, pid: t.pid }])),
      headers: Object.fromEntries(loadScenarios.map((s) => [s.name, s.headers])),
    }, null, 2) + '\nserving until Ctrl-C\n')
    await new Promise(() => {})
  }

  const results = {
    date: new Date().toISOString(),
    machine: { cpus: cpus().length, cpu: cpus()[0]?.model, node: process.version, loadavg_at_start: loadavg().map(round2) },
    options: { duration_s: DURATION_S, warmup_s: WARMUP_S, connections: CONNECTIONS, rounds: ROUNDS, load_generator: WRK ? 'wrk -t1' : 'autocannon', quick: QUICK },
    notes,
    rounds: [],
    table: [],
    streaming: undefined,
    cold_start: undefined,
    startup: { stored_connections: STORED, empty_ms: empty.startMs, with_stored_ms: targets.latchkey.startMs },
    scale: { connections: SCALE, tokens: SCALE_TOKENS, load_time: loadTime, tokens_warmed: tokensWarmed },
    targets: [],
  }

  const measure = async (s, warmup = WARMUP_S) => {
    const url = `${targets[s.target].address}${s.prefix}${PATH}`
    if (warmup > 0) await load(url, s.headers, warmup, s.paths)
    const pid = targets[s.target].pid
    const cpuBefore = cpuMs(pid)
    const from = process.hrtime.bigint() / 1000n
    const r = await load(url, s.headers, DURATION_S, s.paths)
    if (s.target === 'latchkey') profileWindows.push([Number(from), Number(process.hrtime.bigint() / 1000n)])
    if (s.target === 'latchkey_scale') scaleProfileWindows.push([Number(from), Number(process.hrtime.bigint() / 1000n)])
    // CPU time the proxy process spent per request: steadier than req/s on a noisy machine.
    r.cpu_us = ((cpuMs(pid) - cpuBefore) * 1000) / r.requests
    process.stderr.write(`  ${s.name.padEnd(26)} ${r.rps.toFixed(0).padStart(7)} req/s  p50 ${r.p50.toFixed(2)} ms  p99 ${r.p99.toFixed(2)} ms  cpu ${r.cpu_us.toFixed(0)} us/req${r.non2xx + r.errors > 0 ? `  ERRORS ${r.errors} non-2xx ${r.non2xx}` : ''}\n`)
    return r
  }

  if (wanted.length > 0) {
    const compared = [...(withNginx ? [byName('nginx')] : []), ...wanted]
    const [ceilingScenario, bareScenario] = [byName('ceiling'), byName('bare')]
    const pair = async (warmup) => ({ ceiling: await measure(ceilingScenario, warmup), bare: await measure(bareScenario, warmup) })
    const mean2 = (a, b) => ({ rps: (a.rps + b.rps) / 2, p99: (a.p99 + b.p99) / 2, cpu_us: (a.cpu_us + b.cpu_us) / 2 })
    // Every process once before the first round: a fresh latchkey's first seconds measured its
    // JIT and first heap growth (api_key at 5x its later CPU per request), not its requests.
    if (WARMUP_S > 0) {
      process.stderr.write(`warming every scenario up for ${2 * WARMUP_S}s\n`)
      for (const s of [ceilingScenario, bareScenario, ...compared]) await load(`${targets[s.target].address}${s.prefix}${PATH}`, s.headers, 2 * WARMUP_S, s.paths)
    }
    for (let round = 1; round <= ROUNDS; round++) {
      process.stderr.write(`round ${round}/${ROUNDS}: ${DURATION_S}s per scenario after ${WARMUP_S}s warm-up, ${CONNECTIONS} connections, the ceiling and the bare proxy between every two\n`)
      // The ceiling and the bare proxy run before the first scenario and after each one: a
      // scenario's baselines are the means of the runs on either side of it, so a machine that
      // gets slower or faster during the run (it does, on a shared 2-core box) moves both sides
      // of each ratio.
      const row = { baseline_runs: [] }
      let before = await pair(WARMUP_S)
      row.baseline_runs.push(before)
      for (const s of compared) {
        const r = await measure(s)
        const after = await pair(0)
        row.baseline_runs.push(after)
        r.ceiling = mean2(before.ceiling, after.ceiling)
        r.bare = mean2(before.bare, after.bare)
        row[s.name] = r
        before = after
      }
      for (const name of ['ceiling', 'bare']) {
        const runs = row.baseline_runs.map((b) => b[name])
        const mean = (field) => runs.reduce((n, b) => n + b[field], 0) / runs.length
        row[name] = { rps: mean('rps'), p50: mean('p50'), p99: mean('p99'), cpu_us: mean('cpu_us'), errors: runs.reduce((n, b) => n + b.errors + b.non2xx, 0), non2xx: 0 }
      }
      for (const name of ['ceiling', 'bare']) {
        row[name].ceiling = { rps: row.ceiling.rps, p99: row.ceiling.p99, cpu_us: row.ceiling.cpu_us }
        row[name].bare = { rps: row.bare.rps, p99: row.bare.p99, cpu_us: row.bare.cpu_us }
      }
      results.rounds.push(row)
    }
    const names = ['ceiling', 'bare', ...compared.map((s) => s.name)]
    const med = (name, value) => median(results.rounds.map((r) => value(r[name])))
    // Against nginx through the ceiling: both measured next to ceiling runs, so drift cancels.
    const nginxVsCeiling = withNginx ? med('nginx', (r) => r.rps / r.ceiling.rps) : undefined
    for (const name of names) {
      const s = byName(name)
      const vsCeiling = med(name, (r) => r.rps / r.ceiling.rps)
      results.table.push({
        scenario: name,
        what: s.what,
        rps: Math.round(med(name, (r) => r.rps)),
        p50_ms: round2(med(name, (r) => r.p50)),
        p99_ms: round2(med(name, (r) => r.p99)),
        // Each ratio against the baseline runs next to it, then the median over rounds.
        rps_vs_ceiling: round2(vsCeiling),
        rps_vs_bare: round2(med(name, (r) => r.rps / r.bare.rps)),
        rps_vs_nginx: nginxVsCeiling === undefined ? undefined : round2(vsCeiling / nginxVsCeiling),
        p99_vs_ceiling: round2(med(name, (r) => r.p99 / r.ceiling.p99)),
        cpu_us_per_req: Math.round(med(name, (r) => r.cpu_us)),
        // Requests per CPU-second against the ceiling runs next to it: the capacity ratio when
        // the proxy is the bottleneck, steadier than req/s when wrk and the upstream compete for CPU.
        cpu_efficiency_vs_ceiling: round2(med(name, (r) => r.ceiling.cpu_us / r.cpu_us)),
        errors: results.rounds.reduce((n, r) => n + r[name].errors + r[name].non2xx, 0),
      })
    }
  }

  if (runStreaming) results.streaming = await streaming(targets, withNginx)
  if (runCold) results.cold_start = await coldStart(targets.latchkey.address, upstream, targets.bare.address)

  if (profileDir !== undefined) {
    const profiles = [['profile', 'latchkey', targets.latchkey, profileWindows], ['scale_profile', `latchkey with ${SCALE} more connections`, targets.latchkey_scale, scaleProfileWindows]]
    for (const [field, label, target, windows] of profiles) {
      if (target === undefined || windows.length === 0) continue
      const exited = once(target.child, 'exit')
      target.child.kill('SIGTERM')
      await exited
      const found = readdirSync(target.profileDir).filter((f) => f.endsWith('.cpuprofile'))
      const file = found.length === 0 ? undefined : join(target.profileDir, found[0])
      if (file !== undefined) {
        results[field] = { file, windows_us: windows, ...summariseProfile(file, 30, windows) }
        process.stderr.write(`\nCPU profile of ${label} (warn, measured windows only): ${file}\n${formatSummary(results[field])}\n`)
      }
    }
  }

  results.targets = evaluate(results)
  results.elapsed_s = (performance.now() - benchStarted) / 1000
  await stopAll()
  writeFileSync(join(repo, 'bench', 'results.json'), JSON.stringify(results, null, 2) + '\n')
  print(results)
}

/**
 * Issue 11 part 4: what SCALE YAML connections cost at load. `latchkey validate` (the whole
 * command: node's start, module loading, the config) and a gateway's spawn to listening, each on
 * the bench config as is and with SCALE connections more, in turn, medians. The store holds the
 * secrets only, so the start is about the YAML.
 */
async function measureLoadTime (upstream, empty) {
  const reps = QUICK ? 1 : 3
  const scaleFile = join(work, 'latchkey-scale-load.yaml')
  writeFileSync(scaleFile, latchkeyConfig({ upstream, port: 1, logLevel: 'warn', scale: SCALE }))
  process.stderr.write(`load time: ${SCALE} YAML connections (${SCALE_TOKENS} client credentials), validate and start, ${reps} time(s) each\n`)
  const runs = { validate_small: [], validate_scale: [], start_small: [], start_scale: [], load_small: [], load_scale: [] }
  const start = async (scale) => {
    const g = await startLatchkey({ upstream, logLevel: 'warn', scale, name: scale === 0 ? 'start-small' : 'start-scale' })
    const exited = once(g.child, 'exit')
    g.child.kill('SIGTERM')
    await exited
    return { ms: g.startMs, cpu_ms: g.startCpuMs }
  }
  for (let i = 0; i < reps; i++) {
    runs.validate_small.push(await timeValidate(empty.configFile))
    runs.validate_scale.push(await timeValidate(scaleFile))
    // --quick: the start measured before seeding is the same start, on the same store.
    runs.start_small.push(QUICK ? { ms: empty.startMs, cpu_ms: empty.startCpuMs } : await start(0))
    runs.start_scale.push(await start(SCALE))
    runs.load_small.push(await timeLoad(empty.configFile))
    runs.load_scale.push(await timeLoad(scaleFile))
  }
  const out = {}
  for (const [name, list] of Object.entries(runs)) out[name] = { ms: Math.round(median(list.map((r) => r.ms))), cpu_ms: Math.round(median(list.map((r) => r.cpu_ms))) }
  process.stderr.write(`  validate: ${out.validate_small.ms} ms -> ${out.validate_scale.ms} ms (cpu ${out.validate_small.cpu_ms} -> ${out.validate_scale.cpu_ms} ms); ` +
    `start to listening: ${out.start_small.ms} ms -> ${out.start_scale.ms} ms (cpu ${out.start_small.cpu_ms} -> ${out.start_scale.cpu_ms} ms); ` +
    `config load to runtime built: ${out.load_small.ms} ms -> ${out.load_scale.ms} ms (cpu ${out.load_small.cpu_ms} -> ${out.load_scale.cpu_ms} ms)\n`)
  return out
}

/** createGateway alone, in a process of its own with latchkey's modules loaded (bench/load-config.mjs). */
async function timeLoad (configFile) {
  const child = spawn(process.execPath, [join(repo, 'bench', 'load-config.mjs'), configFile],
    { cwd: repo, env: { ...process.env, LATCHKEY_MASTER_KEY: MASTER_KEY }, stdio: ['ignore', 'pipe', 'inherit'] })
  let out = ''
  child.stdout.on('data', (c) => { out += c })
  const [code] = await once(child, 'exit')
  const last = out.trim().split('\n').at(-1) ?? ''
  if (code !== 0 || !last.startsWith('{"ms"')) throw new Error(`bench/load-config.mjs ${configFile} failed (${code}):\n${out.slice(0, 2000)}`)
  return JSON.parse(last)
}

/** One request on each of the spread scenario's connections, so that every token is cached before it is measured. */
async function warmTokens (scenario, base, upstream) {
  const stats = async () => {
    const { tokens } = JSON.parse((await get(`${upstream}/__stats`)).body)
    return Object.entries(tokens).filter(([client]) => client.startsWith('cc-')).reduce((n, [, c]) => n + c, 0)
  }
  const before = await stats()
  const agent = new http.Agent({ keepAlive: true, maxSockets: CONNECTIONS })
  const started = performance.now()
  const statuses = {}
  await Promise.all(scenario.paths.map(async (path) => {
    const res = await get(`${base}${path}`, scenario.headers, agent)
    statuses[res.status] = (statuses[res.status] ?? 0) + 1
  }))
  agent.destroy()
  const out = { requests: scenario.paths.length, token_requests: (await stats()) - before, statuses, ms: Math.round(performance.now() - started) }
  if (statuses[200] !== out.requests) throw new Error(`${scenario.name}: warming the tokens answered ${JSON.stringify(statuses)}`)
  process.stderr.write(`${scenario.name}: ${out.requests} connections warmed with ${out.token_requests} token requests in ${out.ms} ms\n`)
  return out
}

async function streaming (targets, withNginx) {
  const bytes = STREAM_MB * 1024 * 1024
  const key = { 'x-latchkey-key': SECRETS.bench_caller_key }
  const cases = [
    { name: 'ceiling', base: targets.ceiling.address, prefix: '', headers: {}, pid: targets.ceiling.pid },
    { name: 'bare', base: targets.bare.address, prefix: '', headers: {}, pid: targets.bare.pid },
    ...(withNginx ? [{ name: 'nginx', base: targets.nginx.address, prefix: '', headers: {}, pid: targets.nginx.pid }] : []),
    { name: 'latchkey', base: targets.latchkey.address, prefix: '/proxy/api_key', headers: key, pid: targets.latchkey.pid },
  ]
  // Each transfer is ~150 ms at these rates, so one GC pause or scheduler hiccup moves a median
  // of 5 by 30% (the same focused run gave 0.71x and 1.0x): a full run takes every order of a
  // balanced design, at least 6 transfers per proxy each way.
  const orders = balancedOrders(cases.length)
  const REPS = QUICK ? 2 : orders.length * Math.ceil(6 / orders.length)
  const out = { mb: STREAM_MB, reps: REPS, rows: [] }
  process.stderr.write(`streaming: ${STREAM_MB} MB up and down, ${REPS} rounds taking the proxies in turn, medians\n`)
  // Warm-up, as for the request scenarios: run alone (--only streaming), the first transfers
  // through a fresh latchkey measured its JIT and heap growth (0.63x up, +70 MB), not streaming.
  const warmBytes = Math.min(bytes, 16 * 1024 * 1024)
  for (let i = 0; i < (QUICK ? 1 : 3); i++) {
    for (const c of cases) {
      await upload(`${c.base}${c.prefix}/stream/upload`, warmBytes, c.headers)
      await download(`${c.base}${c.prefix}/stream/download?mb=${warmBytes / 1024 / 1024}`, c.headers)
    }
  }
  // Each proxy's memory is watched over its own transfers: VmHWM is reset on every process first
  // (VmRSS sampled as well, for kernels that refuse the reset), and the transfers go round the
  // proxies in turn so that a drift of the machine reaches all of them alike.
  const watch = cases.map((c) => {
    const before = memory(c.pid)
    const w = { before, peakReset: resetPeak(c.pid), sampledPeak: before.rssMb, up: [], down: [], upCpuMs: 0, downCpuMs: 0 }
    w.sampler = setInterval(() => { w.sampledPeak = Math.max(w.sampledPeak, memory(c.pid).rssMb) }, 25)
    return w
  })
  for (let i = 0; i < REPS; i++) {
    // The order changes too: a transfer right after another proxy's runs into the upstream's and
    // the client's garbage from it (a fixed order measured latchkey's upload ~0.8x, rotated ~1x).
    // A rotation keeps who-follows-whom, so latchkey always came right after the same proxy; in
    // the balanced design every proxy follows every other equally often.
    for (const n of orders[i % orders.length]) {
      const c = cases[n]
      const from = Number(process.hrtime.bigint() / 1000n)
      const cpuBefore = cpuMs(c.pid)
      const u = await upload(`${c.base}${c.prefix}/stream/upload`, bytes, c.headers)
      if (u.status !== 200 || JSON.parse(u.body).bytes !== bytes) throw new Error(`${c.name} upload: ${u.status} ${u.body.slice(0, 200)}`)
      watch[n].up.push(STREAM_MB / (u.ms / 1000))
      const cpuBetween = cpuMs(c.pid)
      watch[n].upCpuMs += cpuBetween - cpuBefore
      const d = await download(`${c.base}${c.prefix}/stream/download?mb=${STREAM_MB}`, c.headers)
      if (d.status !== 200 || d.bytes !== bytes) throw new Error(`${c.name} download: ${d.status}, ${d.bytes} bytes`)
      watch[n].down.push(STREAM_MB / (d.ms / 1000))
      watch[n].downCpuMs += cpuMs(c.pid) - cpuBetween
      if (c.name === 'latchkey') profileWindows.push([from, Number(process.hrtime.bigint() / 1000n)])
    }
  }
  for (const [n, c] of cases.entries()) {
    const w = watch[n]
    clearInterval(w.sampler)
    const after = memory(c.pid)
    const peak = w.peakReset ? Math.max(after.hwmMb, w.sampledPeak) : w.sampledPeak
    out.rows.push({
      proxy: c.name,
      upload_mb_s: Math.round(median(w.up)),
      download_mb_s: Math.round(median(w.down)),
      // The proxy's CPU per 100 MB (ticks of 10 ms, summed over all its transfers).
      upload_cpu_ms_per_100mb: Math.round(w.upCpuMs / (REPS * STREAM_MB) * 100),
      download_cpu_ms_per_100mb: Math.round(w.downCpuMs / (REPS * STREAM_MB) * 100),
      rss_before_mb: round1(w.before.rssMb),
      rss_peak_mb: round1(peak),
      rss_growth_mb: round1(peak - w.before.rssMb),
      peak_source: w.peakReset ? 'VmHWM after clear_refs' : 'VmRSS sampled every 25 ms',
    })
    process.stderr.write(`  ${c.name.padEnd(10)} up ${Math.round(median(w.up))} MB/s  down ${Math.round(median(w.down))} MB/s  RSS +${round1(peak - w.before.rssMb)} MB\n`)
  }
  const bare = out.rows.find((r) => r.proxy === 'bare')
  const ceiling = out.rows.find((r) => r.proxy === 'ceiling')
  for (const row of out.rows) {
    row.upload_vs_bare = round2(row.upload_mb_s / bare.upload_mb_s)
    row.download_vs_bare = round2(row.download_mb_s / bare.download_mb_s)
    row.upload_vs_ceiling = round2(row.upload_mb_s / ceiling.upload_mb_s)
    row.download_vs_ceiling = round2(row.download_mb_s / ceiling.download_mb_s)
    // Bytes per CPU-second against bare's: steadier than MB/s when three processes share 2 cores.
    row.upload_cpu_efficiency_vs_bare = round2(bare.upload_cpu_ms_per_100mb / row.upload_cpu_ms_per_100mb)
    row.download_cpu_efficiency_vs_bare = round2(bare.download_cpu_ms_per_100mb / row.download_cpu_ms_per_100mb)
  }
  return out
}

/**
 * Orders of n proxies in which each proxy comes right after each other one equally often (a
 * Williams design): n orders when n is even, and those n and their reverses when n is odd.
 */
function balancedOrders (n) {
  const first = [0]
  for (let k = 1; first.length < n; k++) {
    first.push(k)
    if (first.length < n) first.push(n - k)
  }
  const orders = Array.from({ length: n }, (_, shift) => first.map((p) => (p + shift) % n))
  return n % 2 === 0 ? orders : [...orders, ...orders.map((o) => [...o].reverse())]
}

async function coldStart (base, upstream, bareBase) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: Infinity })
  const key = { 'x-latchkey-key': SECRETS.bench_caller_key }
  // Open the client's sockets first (through a route that needs no token), so the numbers are
  // about the cold token, not about the listen backlog.
  await Promise.all(Array.from({ length: COLD_REQUESTS }, () => get(`${base}/healthz`, {}, agent)))
  const before = JSON.parse((await get(`${upstream}/__stats`)).body).tokens['cold-client'] ?? 0
  process.stderr.write(`cold start: ${COLD_REQUESTS} concurrent requests, one client-credentials connection, token endpoint answers after 50 ms\n`)
  const burst = async (url = `${base}/proxy/cold_start${PATH}`, headers = key, via = agent) => {
    const started = performance.now()
    const responses = await Promise.all(Array.from({ length: COLD_REQUESTS }, () => get(url, headers, via)))
    const wallMs = performance.now() - started
    const latencies = responses.map((r) => r.ms).sort((a, b) => a - b)
    const pct = (p) => latencies[Math.min(latencies.length - 1, Math.ceil((p / 100) * latencies.length) - 1)]
    const statuses = {}
    for (const r of responses) statuses[r.status] = (statuses[r.status] ?? 0) + 1
    return { statuses, p50_ms: round1(pct(50)), p99_ms: round1(pct(99)), max_ms: round1(latencies[latencies.length - 1]), wall_ms: Math.round(wallMs) }
  }
  const cold = await burst()
  const afterCold = JSON.parse((await get(`${upstream}/__stats`)).body).tokens['cold-client'] ?? 0
  // The same burst again, token cached: what the burst costs without the token request.
  const warm = await burst()
  agent.destroy()
  // And through the bare proxy, sockets opened first as above.
  const bareAgent = new http.Agent({ keepAlive: true, maxSockets: Infinity })
  await Promise.all(Array.from({ length: COLD_REQUESTS }, () => get(`${bareBase}${PATH}`, {}, bareAgent)))
  const bare = await burst(`${bareBase}${PATH}`, {}, bareAgent)
  bareAgent.destroy()
  const out = { requests: COLD_REQUESTS, token_requests: afterCold - before, ...cold, warm_burst: warm, bare_burst: bare }
  process.stderr.write(`  token requests ${out.token_requests}, statuses ${JSON.stringify(cold.statuses)}, p50 ${cold.p50_ms} ms, p99 ${cold.p99_ms} ms; same burst warm: p50 ${warm.p50_ms} ms, p99 ${warm.p99_ms} ms\n`)
  return out
}

/** The targets of issue 11, each with what was measured. Ratios between scenarios go through their ratios to the ceiling runs next to each, so drift between the two measurements cancels. */
function evaluate (results) {
  const row = (name) => results.table.find((r) => r.scenario === name)
  const targets = []
  const add = (target, measured, ok, kind = 'target') => targets.push({ target, measured, met: ok, kind })
  const vs = (a, b, field = 'rps_vs_ceiling') => round2(a[field] / b[field])
  const apiKey = row('api_key')
  if (apiKey !== undefined) {
    add('api_key req/s >= 0.9x the Node ceiling', `${apiKey.rps_vs_ceiling}x`, apiKey.rps_vs_ceiling >= 0.9)
    add('  (same, as requests per CPU-second)', `${apiKey.cpu_efficiency_vs_ceiling}x`, apiKey.cpu_efficiency_vs_ceiling >= 0.9, 'detail')
    if (apiKey.rps_vs_nginx !== undefined) add('api_key req/s vs nginx (aim 0.5x)', `${apiKey.rps_vs_nginx}x`, apiKey.rps_vs_nginx >= 0.5, 'aim')
    add('api_key p99 <= 1.3x the ceiling\'s', `${apiKey.p99_vs_ceiling}x`, apiKey.p99_vs_ceiling <= 1.3)
  }
  const against = (name, label, min, base = apiKey, baseLabel = 'api_key') => {
    const r = row(name)
    if (r === undefined || base === undefined) return
    add(`${label} req/s >= ${min}x ${baseLabel}`, `${vs(r, base)}x`, vs(r, base) >= min)
    add('  (same, as requests per CPU-second)', `${vs(r, base, 'cpu_efficiency_vs_ceiling')}x`, vs(r, base, 'cpu_efficiency_vs_ceiling') >= min, 'detail')
  }
  against('oauth_client_credentials', 'client credentials (Redis, warm)', 0.95)
  against('jwt_rs256', 'jwt RS256 (memoised)', 0.9)
  against('oauth2', 'oauth2 (warm, stored token)', 0.95)
  against('api_key_info', 'access log at info: api_key_info', 0.9, apiKey, 'api_key at warn (costs <= 10%)')
  const lk = results.streaming?.rows.find((r) => r.proxy === 'latchkey')
  if (lk !== undefined) {
    add(`streaming ${results.streaming.mb} MB upload MB/s >= 0.9x bare`, `${lk.upload_vs_bare}x`, lk.upload_vs_bare >= 0.9)
    add('  (same, as bytes per CPU-second)', `${lk.upload_cpu_efficiency_vs_bare}x`, lk.upload_cpu_efficiency_vs_bare >= 0.9, 'detail')
    add(`streaming ${results.streaming.mb} MB download MB/s >= 0.9x bare`, `${lk.download_vs_bare}x`, lk.download_vs_bare >= 0.9)
    add('  (same, as bytes per CPU-second)', `${lk.download_cpu_efficiency_vs_bare}x`, lk.download_cpu_efficiency_vs_bare >= 0.9, 'detail')
    add(`gateway RSS growth < 64 MB over ${results.streaming.mb} MB transfers`, `${lk.rss_growth_mb} MB`, lk.rss_growth_mb < 64)
    if (results.streaming.mb < 100) add('  (streaming was not the 100 MB of the target)', `${results.streaming.mb} MB`, false, 'detail')
  }
  if (results.cold_start !== undefined) {
    const c = results.cold_start
    add(`cold start: ${c.requests} concurrent requests -> exactly 1 token request`, `${c.token_requests}, statuses ${JSON.stringify(c.statuses)}`,
      c.token_requests === 1 && c.statuses[200] === c.requests && c.requests === 1000)
    if (c.requests !== 1000) add('  (the target is 1,000 concurrent requests: --cold-requests 1000)', String(c.requests), false, 'detail')
  }
  const scale = results.scale
  const lt = scale.load_time
  if (lt !== undefined) {
    add(`${scale.connections} YAML connections: latchkey validate < 2 s`, `${lt.validate_scale.ms} ms (cpu ${lt.validate_scale.cpu_ms} ms; ${lt.validate_small.ms} ms without them)`, lt.validate_scale.ms < 2000)
    add(`${scale.connections} YAML connections: gateway start to listening < 2 s`, `${lt.start_scale.ms} ms (cpu ${lt.start_scale.cpu_ms} ms; ${lt.start_small.ms} ms without them)`, lt.start_scale.ms < 2000)
    if (lt.load_scale !== undefined) {
      add(`${scale.connections} YAML connections: config load to runtime built < 2 s`, `${lt.load_scale.ms} ms (cpu ${lt.load_scale.cpu_ms} ms; ${lt.load_small.ms} ms without them)`, lt.load_scale.ms < 2000)
    }
    if (scale.connections < 10_000) add('  (the target is 10,000 connections: --scale 10000)', String(scale.connections), false, 'detail')
  }
  against('scale_api_key', `one connection with ${scale.connections} YAML connections loaded`, 0.95, apiKey, 'with the bench\'s 10 loaded')
  against('scale_cc_tokens', `client credentials spread over ${scale.tokens} cached tokens`, 0.95, row('scale_cc_one'), 'one token on the same gateway')
  const spreadVsSmall = row('scale_cc_tokens') !== undefined && row('oauth_client_credentials') !== undefined ? vs(row('scale_cc_tokens'), row('oauth_client_credentials')) : undefined
  if (spreadVsSmall !== undefined) add('  (against one token on the small gateway: tokens and 10,000 loaded together)', `${spreadVsSmall}x`, true, 'info')
  const stored = row('stored_api_key')
  if (stored !== undefined && apiKey !== undefined) {
    add(`one of ${results.startup.stored_connections} stored connections req/s >= 0.95x a YAML one`, `${vs(stored, apiKey)}x`, vs(stored, apiKey) >= 0.95)
  }
  add(`start-up with ${results.startup.stored_connections} stored connections (vs ${results.startup.empty_ms} ms with none)`, `${results.startup.with_stored_ms} ms`, true, 'info')
  for (const r of results.table) if (r.errors > 0) add(`${r.scenario}: no errors`, String(r.errors), false)
  return targets
}

function print (results) {
  const lines = ['']
  const x = (n) => n === undefined ? '-' : `${n.toFixed(2)}x`
  lines.push(`latchkey bench  ${results.date}  ${results.machine.cpus} cpus  node ${results.machine.node}  load average ${results.machine.loadavg_at_start.join(' ')}  ${results.options.load_generator}, ${results.options.connections} connections, ${results.options.duration_s}s x ${results.options.rounds} round(s)`)
  for (const n of results.notes) lines.push(`note: ${n}`)
  if (results.table.length > 0) {
    lines.push('')
    const head = ['scenario', 'req/s', 'p50 ms', 'p99 ms', 'vs ceiling', 'vs bare', 'vs nginx', 'p99 vs ceiling', 'cpu us/req', 'req/cpu-s vs ceiling', 'errors']
    const rows = results.table.map((r) => [r.scenario, String(r.rps), r.p50_ms.toFixed(2), r.p99_ms.toFixed(2), x(r.rps_vs_ceiling), x(r.rps_vs_bare), x(r.rps_vs_nginx),
      x(r.p99_vs_ceiling), String(r.cpu_us_per_req), x(r.cpu_efficiency_vs_ceiling), String(r.errors)])
    lines.push(...table(head, rows))
  }
  if (results.streaming !== undefined) {
    lines.push('', `streaming ${results.streaming.mb} MB (median of ${results.streaming.reps})`)
    const head = ['proxy', 'upload MB/s', 'vs ceiling', 'vs bare', 'cpu ms/100MB', 'download MB/s', 'vs ceiling', 'vs bare', 'cpu ms/100MB', 'RSS before MB', 'RSS peak MB', 'growth MB']
    const rows = results.streaming.rows.map((r) => [r.proxy, String(r.upload_mb_s), x(r.upload_vs_ceiling), x(r.upload_vs_bare), String(r.upload_cpu_ms_per_100mb),
      String(r.download_mb_s), x(r.download_vs_ceiling), x(r.download_vs_bare), String(r.download_cpu_ms_per_100mb),
      String(r.rss_before_mb), String(r.rss_peak_mb), String(r.rss_growth_mb)])
    lines.push(...table(head, rows))
  }
  if (results.cold_start !== undefined) {
    const c = results.cold_start
    lines.push('', `cold start: ${c.requests} concurrent requests -> ${c.token_requests} token request(s), statuses ${JSON.stringify(c.statuses)}, p50 ${c.p50_ms} ms, p99 ${c.p99_ms} ms, max ${c.max_ms} ms`)
    lines.push(`            the same burst with the token cached: p50 ${c.warm_burst.p50_ms} ms, p99 ${c.warm_burst.p99_ms} ms (the token endpoint answers after 50 ms)`)
    lines.push(`            the same burst through the bare proxy: p50 ${c.bare_burst.p50_ms} ms, p99 ${c.bare_burst.p99_ms} ms`)
  }
  const lt = results.scale.load_time
  if (lt !== undefined) {
    lines.push('', `load time with ${results.scale.connections} more YAML connections (medians; wall ms, cpu ms)`)
    lines.push(...table(['', 'bench config', `+${results.scale.connections} connections`], [
      ['latchkey validate', `${lt.validate_small.ms}, ${lt.validate_small.cpu_ms}`, `${lt.validate_scale.ms}, ${lt.validate_scale.cpu_ms}`],
      ['start to listening', `${lt.start_small.ms}, ${lt.start_small.cpu_ms}`, `${lt.start_scale.ms}, ${lt.start_scale.cpu_ms}`],
      ...(lt.load_scale === undefined ? [] : [['config load to runtime built', `${lt.load_small.ms}, ${lt.load_small.cpu_ms}`, `${lt.load_scale.ms}, ${lt.load_scale.cpu_ms}`]]),
    ]))
  }
  if (results.scale.tokens_warmed !== undefined) {
    const w = results.scale.tokens_warmed
    lines.push('', `scale_cc_tokens: ${w.requests} connections warmed with ${w.token_requests} token requests before measuring`)
  }
  if (results.targets.length > 0) {
    lines.push('', QUICK ? 'targets (--quick: not judged, shown to check that each is computed):' : 'targets:')
    const mark = (t) => t.kind === 'info' ? 'info   ' : t.kind === 'detail' ? (t.met ? '       ' : 'note   ') : t.kind === 'aim' ? (t.met ? 'aim met' : 'aim    ') : (t.met ? 'met    ' : 'NOT MET')
    for (const t of results.targets) lines.push(`  ${mark(t)}  ${t.target}: ${t.measured}`)
  }
  lines.push('', `${Math.round(results.elapsed_s)} s in all; written to bench/results.json`)
  process.stdout.write(lines.join('\n') + '\n')
}

function table (head, rows) {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)))
  const fmt = (cells) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ')
  return [fmt(head), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(fmt)]
}

main().catch(async (err) => {
  process.stderr.write(`bench failed: ${err.stack ?? err}\n`)
  await stopAll()
  process.exit(1)
})
