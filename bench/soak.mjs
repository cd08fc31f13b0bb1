/**
 * `npm run soak -- --duration 120s`: one latchkey process under mixed traffic for a while, with
 * faults injected on a schedule, then a check that nothing leaked and nothing failed that should
 * not have. See "Soak" in README.md.
 *
 *   node bench/soak.mjs [--duration 120s|2m|120] [--concurrency 32] [--keep]
 *
 * --keep leaves the work folder (generated config, latchkey's log) in place and prints its path.
 *
 * Everything runs on 127.0.0.1: a recording upstream and a token endpoint (in this process, so
 * the faults are plain switches), a redis-server of our own on a free port, and latchkey from
 * dist/ with a generated config that has one connection per built auth method plus a user-JWT
 * caller. Exit code 0 only when the verdict holds.
 */
import { generateKeyPairSync, createHmac, randomBytes } from 'node:crypto'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { setTimeout as sleep } from 'node:timers/promises'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { SignJWT } from 'jose'
import { Pool } from 'undici'
import YAML from 'yaml'
import { collectGarbage, freePort, parseDuration, procStats, redisServer, sealSecrets, startLatchkey, stopChild } from './lib-proc.mjs'
import { startTokenEndpoint, startUpstream, verifyRs256 } from './lib-soak-servers.mjs'

const repo = fileURLToPath(new URL('../', import.meta.url))

const { values: args } = parseArgs({
  options: {
    duration: { type: 'string', default: '60s' },
    concurrency: { type: 'string', default: '32' },
    keep: { type: 'boolean', default: false },
  },
})
const DURATION_MS = parseDuration(args.duration)
const CONCURRENCY = Number(args.concurrency)
if (DURATION_MS < 10_000) throw new Error('--duration must be at least 10s: the fault schedule needs room')
if (!(CONCURRENCY >= 1 && CONCURRENCY <= 256)) throw new Error('--concurrency must be 1-256')
/** The count bound: far above what one latchkey on loopback serves, so time is what stops a run. */
const MAX_REQUESTS = Math.ceil(DURATION_MS / 1000) * 20_000
/** A request without an answer by then is counted as an unexpected client timeout. */
const REQUEST_TIMEOUT_MS = 15_000
/** SPEC 7.1 back-off cap (30 s) plus a second: how long token failures may outlive the 500 window. */
const BACKOFF_TAIL_MS = 31_000
/** Longest wait for latchkey's idle pools to close after the traffic (see lib-soak-servers.mjs: 18 s). */
const SETTLE_MAX_MS = 40_000
/**
 * How much latchkey may grow from the end of the warm-up to the end, both measured right after a
 * forced full GC (without one, RSS mostly says how long ago V8 last collected its old generation:
 * it swung by 40 MB between runs). Run to run, the GC'd numbers moved by 2-7 MB. A 120 s run is
 * 150,000-200,000 requests here, so a leak of 100 bytes per request (15-20 MB) fails both.
 */
const RSS_SLACK_MB = 16
const HEAP_SLACK_MB = 8

/**
 * The fault schedule, as fractions of the run: a quiet warm-up, upstream resets, the token
 * endpoint answering 500 for long enough that short-lived tokens expire inside it, a Redis
 * restart, and a quiet tail in which every error is unexpected.
 */
function schedule (ms) {
  return {
    warmupEnd: 0.15 * ms,
    reset: { from: 0.2 * ms, to: 0.3 * ms },
    token: { from: 0.35 * ms, to: 0.55 * ms },
    redisStop: 0.7 * ms,
    redisDownMs: 3000,
  }
}

// ---------------------------------------------------------------------------------------------
// secrets and connections

const KEYS = generateKeyPairSync('rsa', { modulusLength: 2048 })
const hex = (n) => randomBytes(n).toString('hex')
const SECRETS = {
  caller_key: `lk-soak-${hex(16)}`,
  user_jwt_secret: hex(32),
  basic_password: hex(12),
  bearer_token: hex(16),
  api_key: hex(16),
  custom_header: hex(16),
  custom_query: hex(8),
  cc_secret: hex(16),
  rsa_key: KEYS.privateKey.export({ type: 'pkcs8', format: 'pem' }),
  oauth1_consumer_secret: hex(12),
  oauth1_token_secret: hex(12),
  user_conn_token: hex(16),
}
const secret = (name) => `{{ get_secret('${name}') }}`
const USER = { issuer: 'https://issuer.soak.invalid/', audience: 'latchkey-soak' }
const JB = { client: 'soak-jb', subject: 'svc@soak.invalid' }

/**
 * One connection per built auth method (oauth2 needs the connect flow, not built yet), and one
 * reached by a user JWT. `method` is the connector's auth method; `check` is what the upstream
 * must have received, returning a reason (never a value) when it did not.
 */
function connections (tokenUrl, tokens) {
  const header = (name, want) => (r) => r.headers[name] === want ? undefined : `${name} missing or wrong`
  const onlyQuery = (name, want) => (r) => {
    const got = r.url.searchParams.getAll(name)
    return got.length === 1 && got[0] === want ? undefined : `query ${name} missing, wrong or repeated`
  }
  return [
    { id: 'none', method: { type: 'none' }, check: (r) => r.headers.authorization === undefined ? undefined : 'authorization present' },
    { id: 'basic', method: { type: 'basic', username: 'soak-user', password: secret('basic_password') }, check: header('authorization', `Basic ${Buffer.from(`soak-user:${SECRETS.basic_password}`).toString('base64')}`) },
    { id: 'bearer', method: { type: 'bearer', token: secret('bearer_token') }, check: header('authorization', `Bearer ${SECRETS.bearer_token}`) },
    { id: 'api_key_header', method: { type: 'api_key', key: 'X-Api-Key', value: secret('api_key') }, check: header('x-api-key', SECRETS.api_key), rateLimited: true },
    // The caller sends its own api_key too: latchkey's must replace it (SPEC 7).
    { id: 'api_key_query', method: { type: 'api_key', key: 'api_key', value: secret('api_key'), in: 'query' }, check: onlyQuery('api_key', SECRETS.api_key), callerQuery: '&api_key=from-caller' },
    {
      id: 'custom',
      method: { type: 'custom', headers: { 'X-Custom-Auth': secret('custom_header') }, query: { sig: secret('custom_query') } },
      check: (r) => header('x-custom-auth', SECRETS.custom_header)(r) ?? onlyQuery('sig', SECRETS.custom_query)(r),
    },
    {
      id: 'client_credentials',
      method: { type: 'oauth_client_credentials', client_id: 'soak-cc', client_secret: secret('cc_secret'), token_url: tokenUrl, scope: 'read write' },
      check: issuedToken(tokens, 'soak-cc'),
      tokenBased: true,
    },
    {
      id: 'jwt_rs256',
      method: { type: 'jwt', algorithm: 'RS256', private_key: secret('rsa_key'), claims: { iss: 'latchkey-soak', sub: '{{ connection.id }}', iat: '{{ now() }}', exp: '{{ now(300) }}' } },
      check: signedJwt,
    },
    {
      id: 'jwt_bearer',
      method: { type: 'oauth_jwt_bearer', client_id: JB.client, subject: JB.subject, audience: tokenUrl, token_url: tokenUrl, private_key: secret('rsa_key') },
      check: issuedToken(tokens, JB.client),
      tokenBased: true,
    },
    {
      id: 'oauth1',
      method: { type: 'oauth1', consumer_key: 'soak-consumer', consumer_secret: secret('oauth1_consumer_secret'), token: 'soak-token', token_secret: secret('oauth1_token_secret') },
      check: oauth1Check(),
      formBody: true,
    },
    { id: 'user_jwt', method: { type: 'bearer', token: secret('user_conn_token') }, check: header('authorization', `Bearer ${SECRETS.user_conn_token}`), user: true },
  ]
}

/** A Bearer token this endpoint issued, to `client`, and not used past its usable life. */
function issuedToken (tokens, client) {
  return (r) => {
    const m = /^Bearer (soak-\d+)$/.exec(r.headers.authorization ?? '')
    const known = m === null ? undefined : tokens.lookup(m[1])
    if (known === undefined) return 'no token from the token endpoint'
    if (known.client !== client) return 'a token of another client'
    // SPEC 7.1: used for expires_in - 60 s at most (2 s for the trip through latchkey).
    const usableMs = (known.expiresIn - 60) * 1000
    return Date.now() - known.issuedAt <= usableMs + 2000 ? undefined : 'token used past its usable life'
  }
}

function signedJwt (r) {
  const m = /^Bearer (.+)$/.exec(r.headers.authorization ?? '')
  const claims = m === null ? undefined : verifyRs256(m[1], () => KEYS.publicKey)
  if (claims === undefined) return 'no RS256 JWT that verifies'
  return claims.sub === 'jwt_rs256' && claims.exp > Date.now() / 1000 ? undefined : 'JWT claims wrong or expired'
}

/** RFC 5849 signature recomputed from what arrived, plus a nonce that is never seen twice. */
function oauth1Check () {
  const nonces = new Set()
  const enc = (s) => encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
  return (r) => {
    const auth = r.headers.authorization ?? ''
    if (!auth.startsWith('OAuth ')) return 'no OAuth authorization header'
    const oauth = [...auth.slice(6).matchAll(/([a-z_]+)="([^"]*)"/g)].map(([, k, v]) => [k, decodeURIComponent(v)])
    const get = (k) => oauth.find(([name]) => name === k)?.[1]
    if (get('oauth_consumer_key') !== 'soak-consumer' || get('oauth_token') !== 'soak-token') return 'oauth1 consumer or token wrong'
    if (Math.abs(Number(get('oauth_timestamp')) - Date.now() / 1000) > 5) return 'oauth1 timestamp off'
    const form = r.headers['content-type'] === 'application/x-www-form-urlencoded' ? [...new URLSearchParams(r.body.toString('utf8'))] : []
    const params = [...r.url.searchParams, ...form, ...oauth.filter(([k]) => k !== 'oauth_signature' && k !== 'realm')]
      .map(([k, v]) => [enc(k), enc(v)])
      .sort(([an, av], [bn, bv]) => (an < bn ? -1 : an > bn ? 1 : av < bv ? -1 : av > bv ? 1 : 0))
      .map(([k, v]) => `${k}=${v}`)
    const base = [r.method, `http://${r.headers.host}${r.url.pathname}`, params.join('&')].map(enc).join('&')
    const key = `${enc(SECRETS.oauth1_consumer_secret)}&${enc(SECRETS.oauth1_token_secret)}`
    if (createHmac('sha1', key).update(base).digest('base64') !== get('oauth_signature')) return 'oauth1 signature does not verify'
    const nonce = get('oauth_nonce')
    if (nonces.has(nonce)) return 'oauth1 nonce reused'
    nonces.add(nonce)
    return undefined
  }
}

/** Nothing of the caller's credentials may reach any upstream (SPEC 6.3). */
function hygiene (r, userJwt) {
  if (r.headers['x-latchkey-key'] !== undefined) return 'the caller key reached the upstream'
  if (r.headers.authorization === `Bearer ${userJwt}`) return "the caller's JWT reached the upstream"
  return undefined
}

function latchkeyConfig ({ port, upstream, redisUrl, storePath, conns }) {
  return {
    server: { host: '127.0.0.1', port, log_level: 'warn', allow_private_upstreams: true, upstream_timeout: '10s', token_timeout: '5s' },
    store: { type: 'file', path: storePath },
    cache: { type: 'redis', url: redisUrl, key_prefix: `soak:${hex(4)}:` },
    callers: {
      api_keys: { soak: { key: secret('caller_key') } },
      jwt: { secret: secret('user_jwt_secret'), algorithms: ['HS256'], issuer: USER.issuer, audience: USER.audience },
    },
    connectors: Object.fromEntries(conns.map((c) => [`soak_${c.id}`, { base_url: `${upstream}/u/${c.id}`, auth: { default: 'm', methods: { m: c.method } } }])),
    connections: Object.fromEntries(conns.map((c) => [c.id, {
      connector: `soak_${c.id}`,
      access: c.user ? { users: true, allow: ['GET /**', 'POST /**'] } : { callers: ['soak'] },
      // Far above the traffic: exercises the Redis counters (and their fallback) without limiting.
      ...(c.rateLimited ? { rate_limit: { max: 100_000_000, window: '10s', per: 'caller' } } : {}),
    }])),
  }
}

// ---------------------------------------------------------------------------------------------
// setup and teardown

const work = mkdtempSync(join(tmpdir(), 'latchkey-soak-'))
const cleanups = []
async function cleanup () {
  while (cleanups.length > 0) await cleanups.pop()().catch(() => {})
  if (args.keep) process.stderr.write(`kept ${work} (latchkey.yaml, latchkey.log)\n`)
  else rmSync(work, { recursive: true, force: true })
}
for (const signal of ['SIGINT', 'SIGTERM']) process.once(signal, () => { cleanup().finally(() => process.exit(130)) })

async function setup () {
  const clients = {
    // expires_in 75 and 80 s: usable 15 and 20 s (SPEC 7.1 takes 60 s off), so tokens are
    // refreshed several times per run and some expire inside the token endpoint's 500 window.
    'soak-cc': { secret: SECRETS.cc_secret, expiresIn: 75 },
    [JB.client]: { publicKey: KEYS.publicKey, subject: JB.subject, expiresIn: 80 },
  }
  const tokens = await startTokenEndpoint({ clients })
  // The assertion's audience is the token URL, known once the endpoint listens.
  clients[JB.client].audience = tokens.url
  const conns = connections(tokens.url, tokens)
  const userJwt = await new SignJWT({}).setProtectedHeader({ alg: 'HS256' }).setIssuer(USER.issuer).setAudience(USER.audience)
    .setSubject('soak-user').setIssuedAt().setExpirationTime('2h').sign(Buffer.from(SECRETS.user_jwt_secret, 'utf8'))
  const checks = Object.fromEntries(conns.map((c) => [c.id, c.check]))
  const upstream = await startUpstream({ check: (id, r) => checks[id] === undefined ? 'unknown connection' : hygiene(r, userJwt) ?? checks[id](r) })
  cleanups.push(() => upstream.close(), () => tokens.close())

  const redis = redisServer({ port: await freePort(), dir: work })
  await redis.start()
  cleanups.push(() => redis.stop())

  const storePath = join(work, 'store')
  const masterKey = randomBytes(32).toString('base64')
  await sealSecrets({ repo, path: storePath, masterKey, secrets: SECRETS })
  const port = await freePort()
  const configFile = join(work, 'latchkey.yaml')
  writeFileSync(configFile, `# generated by bench/soak.mjs\n${YAML.stringify(latchkeyConfig({ port, upstream: upstream.origin, redisUrl: redis.url, storePath, conns }))}`)
  const logFile = join(work, 'latchkey.log')
  // The inspector (loopback) is there only to force full GCs before memory is compared.
  const inspectPort = await freePort()
  const latchkey = await startLatchkey({ repo, configFile, logFile, port, masterKey, nodeArgs: [`--inspect=127.0.0.1:${inspectPort}`] })
  cleanups.push(() => stopChild(latchkey.child))
  const peers = { [upstream.port]: 'upstream', [tokens.port]: 'token', [redis.port]: 'redis' }
  const stats = () => procStats(latchkey.child.pid, { peers, listenPort: port })
  /** /proc numbers right after a full GC, plus the V8 heap in use. */
  const settled = async () => {
    const heapMb = await collectGarbage(inspectPort)
    return { ...stats(), heapMb }
  }
  return { tokens, upstream, redis, latchkey, conns, userJwt, logFile, stats, settled }
}

// ---------------------------------------------------------------------------------------------
// traffic

/** What one request is: the connection by turn, every third round a small POST. */
function requestFor (seq, env) {
  const conn = env.conns[seq % env.conns.length]
  const post = Math.floor(seq / env.conns.length) % 3 === 2
  // The request id travels to the upstream and into latchkey's log lines: `--keep` to correlate.
  const headers = { 'x-request-id': `soak-${seq}` }
  if (conn.user) headers.authorization = `Bearer ${env.userJwt}`
  else headers['x-latchkey-key'] = SECRETS.caller_key
  let body
  if (post && conn.formBody) {
    body = `seq=${seq}&note=soak+test&list=a&list=b`
    headers['content-type'] = 'application/x-www-form-urlencoded'
  } else if (post) {
    body = JSON.stringify({ seq, items: [1, 2, 3], note: 'x'.repeat(seq % 200) })
    headers['content-type'] = 'application/json'
  }
  return {
    conn,
    method: post ? 'POST' : 'GET',
    path: `/proxy/${conn.id}/v1/items?page=${seq % 7}&q=soak%20test${conn.callerQuery ?? ''}`,
    headers,
    body,
  }
}

/** One request through the pool: status and body text, or the transport error's code. */
async function send (pool, spec) {
  const signal = AbortSignal.timeout(REQUEST_TIMEOUT_MS)
  try {
    const res = await pool.request({ path: spec.path, method: spec.method, headers: spec.headers, body: spec.body, signal })
    const text = await res.body.text()
    return { status: res.statusCode, text }
  } catch (err) {
    return { error: signal.aborted ? 'client_timeout' : (err.code ?? err.name ?? 'error') }
  }
}

function newTally () {
  const window = () => ({ requests: 0, ok: 0 })
  return { requests: 0, ok: 0, expected: {}, unexpected: {}, examples: [], latencies: [], perConn: {}, windows: { reset: window(), token: window(), redis: window() } }
}

/**
 * Sorts one answer into ok, an error expected in the fault window it overlapped, or unexpected.
 * `t0`/`t1` are ms since the traffic started; `w` holds the windows as they actually happened.
 */
function classify (spec, answer, t0, t1, w) {
  const overlaps = (win) => overlapping(win, t0, t1)
  if (answer.error !== undefined) {
    // A caller socket cut mid-response: latchkey relaying an upstream reset after the head.
    return { code: `socket:${answer.error}`, expected: answer.error !== 'client_timeout' && overlaps(w.reset) }
  }
  if (answer.status >= 200 && answer.status < 300) {
    const seen = parseJson(answer.text)
    const sent = spec.body === undefined ? 0 : Buffer.byteLength(spec.body)
    if (seen?.conn !== spec.conn.id) return { code: 'wrong_upstream_route', expected: false }
    if (seen.verdict !== 'ok') return { code: `wrong_credential: ${seen.verdict}`, expected: false }
    if (seen.bytes !== sent) return { code: 'request_body_altered', expected: false }
    return { code: 'ok' }
  }
  const code = parseJson(answer.text)?.error?.code ?? `http_${answer.status}`
  if (code === 'upstream_unreachable') return { code, expected: overlaps(w.reset) }
  if (code === 'token_exchange_failed' && spec.conn.tokenBased) return { code, expected: tokenFailureExpected(spec.conn.id, t0, t1, w) }
  return { code, expected: false }
}

/** Whether [t0, t1] overlaps a window that has started (and may not have ended yet). */
const overlapping = (win, t0, t1) => win.from !== undefined && t0 <= (win.to ?? Infinity) && t1 >= win.from

/**
 * Expected while the endpoint answers 500, and after it until the connection's first success
 * (the back-off of SPEC 7.1 may keep failing fast for up to 30 s), never longer than that.
 */
function tokenFailureExpected (id, t0, t1, w) {
  const { from, to } = w.token
  if (from === undefined || t1 < from) return false
  if (to === undefined || t0 <= to) return true
  const recovered = w.tokenRecovered[id]
  return t0 < to + BACKOFF_TAIL_MS && (recovered === undefined || t0 < recovered)
}

function record (tally, spec, verdict, t0, t1, w) {
  tally.requests++
  tally.latencies.push(t1 - t0)
  // What each fault window did to the requests that overlapped it (token window: token-based only).
  for (const name of ['reset', 'token', 'redis']) {
    if (!overlapping(w[name], t0, t1) || (name === 'token' && !spec.conn.tokenBased)) continue
    const n = tally.windows[name]
    n.requests++
    if (verdict.code === 'ok') n.ok++
  }
  const per = tally.perConn[spec.conn.id] ??= { requests: 0, ok: 0, expected: 0, unexpected: 0 }
  per.requests++
  if (verdict.code === 'ok') {
    tally.ok++
    per.ok++
    // The first success after the token window ends closes that connection's back-off tail.
    if (spec.conn.tokenBased && w.token.to !== undefined && t0 > w.token.to) w.tokenRecovered[spec.conn.id] ??= t1
    return
  }
  const bucket = verdict.expected ? tally.expected : tally.unexpected
  bucket[verdict.code] = (bucket[verdict.code] ?? 0) + 1
  per[verdict.expected ? 'expected' : 'unexpected']++
  // A few examples of each unexpected code, for the report: where and when it happened.
  const seen = tally.examples.filter((e) => e.code === verdict.code).length
  if (!verdict.expected && seen < 2 && tally.examples.length < 12) tally.examples.push({ at_s: round1(t0 / 1000), conn: spec.conn.id, method: spec.method, code: verdict.code })
}

/** `CONCURRENCY` loops sending requests until the time or the count runs out. */
async function drive (env, pool, w, started) {
  const tally = newTally()
  let seq = 0
  const worker = async () => {
    while (performance.now() - started < DURATION_MS && seq < MAX_REQUESTS) {
      const spec = requestFor(seq++, env)
      const t0 = performance.now() - started
      const answer = await send(pool, spec)
      const t1 = performance.now() - started
      record(tally, spec, classify(spec, answer, t0, t1, w), t0, t1, w)
    }
  }
  await Promise.all(Array.from({ length: CONCURRENCY }, worker))
  tally.elapsedMs = performance.now() - started
  return tally
}

// ---------------------------------------------------------------------------------------------
// faults

/** Runs the schedule against the clock, filling `w` with the windows as they really happened. */
async function injectFaults (env, w, started, plan) {
  const at = async (ms) => { const wait = ms - (performance.now() - started); if (wait > 0) await sleep(wait) }
  const now = () => performance.now() - started

  await at(plan.reset.from)
  env.upstream.faults.reset = true
  w.reset.from = now()
  await at(plan.reset.to)
  env.upstream.faults.reset = false
  w.reset.to = now()

  await at(plan.token.from)
  env.tokens.faults.fail = true
  w.token.from = now()
  await at(plan.token.to)
  env.tokens.faults.fail = false
  w.token.to = now()

  await at(plan.redisStop)
  await at(redisStopTime(env, started, plan))
  w.redis.from = now()
  const tokenRequests = env.tokens.stats.requests
  await env.redis.stop()
  await sleep(plan.redisDownMs)
  w.redis.tokenRequests = env.tokens.stats.requests - tokenRequests
  await env.redis.start()
  // Back when latchkey's client has reconnected: ioredis retries at most every 2 s.
  await sleep(2000)
  w.redis.to = now()
}

/**
 * Redis goes down 1.5 s before the client-credentials token runs out, when that still leaves a
 * quiet tail: latchkey must then fetch a token without its lock and shared tier (README, Tokens).
 */
function redisStopTime (env, started, plan) {
  const until = env.tokens.usableUntil('soak-cc')
  const aligned = until === undefined ? undefined : until - 1500 - (Date.now() - (performance.now() - started))
  const latest = 0.85 * DURATION_MS - plan.redisDownMs - 2000
  return aligned !== undefined && aligned >= plan.redisStop && aligned <= latest ? aligned : plan.redisStop
}

/**
 * Peaks of RSS, sockets and fds, sampled once a second while the traffic runs, and one
 * measurement after a full GC once the warm-up is over: the reference for "RSS stable".
 */
function watchProcess (env, started, plan) {
  const samples = { peakRss: 0, peakSockets: 0, peakFds: 0, afterWarmup: undefined }
  const timer = setInterval(() => {
    let s
    try { s = env.stats() } catch { return } // latchkey is gone: the verdict says so
    samples.peakRss = Math.max(samples.peakRss, s.rssMb)
    samples.peakSockets = Math.max(samples.peakSockets, s.sockets.total)
    samples.peakFds = Math.max(samples.peakFds, s.fds)
  }, 1000)
  const warmup = sleep(Math.max(0, plan.warmupEnd - (performance.now() - started)))
    .then(() => env.settled()).then((s) => { samples.afterWarmup = s })
  return { samples, stop: async () => { clearInterval(timer); await warmup } }
}

/**
 * After the traffic: our pool is closed (latchkey's caller sockets go at once) and latchkey's
 * own keep-alive pools to the upstream and the token endpoint close 18 s after their last use
 * (the servers' 20 s keep-alive hint minus undici's 2 s). So wait, up to SETTLE_MAX_MS, until
 * sockets and fds are back at their start values: comparing against the start itself rather
 * than a warmed-up value means a leaked socket or fd cannot hide inside the pool.
 */
async function settle (env, start) {
  const from = performance.now()
  let s = env.stats()
  while (performance.now() - from < SETTLE_MAX_MS && (s.sockets.total > start.sockets.total || s.fds > start.fds)) {
    await sleep(1000)
    s = env.stats()
  }
  return { stats: await env.settled(), waitedMs: performance.now() - from }
}

// ---------------------------------------------------------------------------------------------
// report

const round1 = (x) => Math.round(x * 10) / 10
const sum = (o) => Object.values(o).reduce((a, b) => a + b, 0)
const parseJson = (text) => { try { return JSON.parse(text) } catch { return undefined } }
const SOCKET_KINDS = ['listen', 'callers', 'upstream', 'token', 'redis', 'other']
const tokenText = (t) => `${t.requests} (${t.issued} ok, ${t.failedByFault} x 500, ${t.refused} refused)`

function table (head, rows) {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)))
  const fmt = (cells) => cells.map((c, i) => (i === 0 ? String(c).padEnd(widths[i]) : String(c).padStart(widths[i]))).join('  ')
  return [fmt(head), widths.map((n) => '-'.repeat(n)).join('  '), ...rows.map(fmt)].join('\n')
}

/** The rows both tables share, from a settled measurement (`s`) and the token endpoint's counts. */
function processRows (s, tokens) {
  return [
    ['token requests at the endpoint', tokenText(tokens)],
    ['open sockets', s.sockets.total],
    ...SOCKET_KINDS.map((k) => [`  ${k}`, s.sockets[k] ?? 0]),
    ['file descriptors', s.fds],
    ['RSS MB (after a full GC)', round1(s.rssMb)],
    ['V8 heap in use MB (same time)', round1(s.heapMb)],
  ]
}

function startTable (s, tokens) {
  return table(['at start', ''], [['requests', 0], ['requests/s', '-'], ['expected errors', 0], ['unexpected errors', 0], ...processRows(s, tokens)])
}

function endTable ({ tally, start, end, samples, tokensAtStart, tokensAtEnd }) {
  const codes = (bucket) => Object.entries(bucket).sort((a, b) => b[1] - a[1]).map(([code, n]) => [`  ${code}`, '', n])
  const lat = [...tally.latencies].sort((a, b) => a - b)
  const pct = (p) => lat.length === 0 ? 0 : round1(lat[Math.min(lat.length - 1, Math.floor(p * lat.length))])
  const a = processRows(start, tokensAtStart)
  const b = processRows(end, tokensAtEnd)
  const warm = samples.afterWarmup
  return table(['', 'at start', 'at end'], [
    ['requests', 0, tally.requests],
    ['requests/s', '-', Math.round(tally.requests / (tally.elapsedMs / 1000))],
    ['latency p50 / p99 / max ms', '-', `${pct(0.5)} / ${pct(0.99)} / ${round1(lat[lat.length - 1] ?? 0)}`],
    ['2xx, credential verified', 0, tally.ok],
    ['expected errors', 0, sum(tally.expected)],
    ...codes(tally.expected),
    ['unexpected errors', 0, sum(tally.unexpected)],
    ...codes(tally.unexpected),
    ...a.map((row, i) => [row[0], row[1], b[i][1]]),
    ['RSS MB after warm-up (full GC)', '', round1(warm?.rssMb ?? NaN)],
    ['V8 heap MB after warm-up', '', round1(warm?.heapMb ?? NaN)],
    ['peak RSS MB / sockets / fds', '', `${round1(samples.peakRss)} / ${samples.peakSockets} / ${samples.peakFds}`],
  ])
}

function connTable (env, tally) {
  return table(['connection', 'auth', 'requests', '2xx ok', 'expected', 'unexpected'], env.conns.map((c) => {
    const p = tally.perConn[c.id] ?? { requests: 0, ok: 0, expected: 0, unexpected: 0 }
    return [c.id, c.user ? `${c.method.type} (user JWT caller)` : c.method.type, p.requests, p.ok, p.expected, p.unexpected]
  }))
}

function faultLines (w, env, tally) {
  const s = (ms) => `${round1(ms / 1000)}s`
  const n = (name) => `${tally.windows[name].requests} requests overlapped it, ${tally.windows[name].ok} answered 2xx`
  const u = env.upstream.stats
  const t = env.tokens.stats
  return [
    `faults:  upstream resets ${s(w.reset.from)}-${s(w.reset.to)}: ${u.resetBefore} sockets destroyed before the answer, ${u.resetMidBody} mid-body; ${n('reset')}`,
    `         token endpoint 500 ${s(w.token.from)}-${s(w.token.to)}: ${t.failedByFault} token requests answered 500` +
      (t.failedByFault === 0 ? ' (no token expired inside the window: run longer)' : '') + `; token-based: ${n('token')}`,
    `         redis-server SIGTERM at ${s(w.redis.from)}, started again ${s(planned.redisDownMs)} later on the same port, ` +
      `reconnect allowed until ${s(w.redis.to)}; ${w.redis.tokenRequests} token requests while it was down; ${n('redis')}`,
  ]
}

/** warn and error lines of latchkey's log, by message (messages only, never the objects). */
function logSummary (file) {
  const counts = {}
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const entry = parseJson(line)
    if (entry === undefined || !(entry.level >= 40)) continue
    const key = `${entry.level >= 50 ? 'error' : 'warn'}: ${entry.msg}`
    counts[key] = (counts[key] ?? 0) + 1
  }
  const lines = Object.entries(counts).map(([msg, n]) => `  ${n} x ${msg}`)
  return lines.length === 0 ? 'latchkey log: no warn or error lines' : `latchkey log (warn and above):\n${lines.join('\n')}`
}

function verdict ({ tally, start, end, samples, env }) {
  const checks = []
  const add = (ok, text) => checks.push({ ok, text })
  add(sum(tally.unexpected) === 0, `unexpected errors: ${sum(tally.unexpected)}`)
  const silent = env.conns.filter((c) => (tally.perConn[c.id]?.ok ?? 0) === 0).map((c) => c.id)
  add(silent.length === 0, `every connection answered 2xx with a verified credential${silent.length > 0 ? ` (not: ${silent.join(', ')})` : ''}`)
  add(end.sockets.total <= start.sockets.total, `open sockets back to the start value: ${start.sockets.total} -> ${end.sockets.total}`)
  add(end.fds <= start.fds, `file descriptors back to the start value: ${start.fds} -> ${end.fds}`)
  const warm = samples.afterWarmup ?? { rssMb: NaN, heapMb: NaN }
  add(end.rssMb <= warm.rssMb + RSS_SLACK_MB, `RSS stable after warm-up (end <= warm-up + ${RSS_SLACK_MB} MB, both after a full GC): ${round1(warm.rssMb)} -> ${round1(end.rssMb)} MB`)
  add(end.heapMb <= warm.heapMb + HEAP_SLACK_MB, `V8 heap in use stable after warm-up (end <= warm-up + ${HEAP_SLACK_MB} MB): ${round1(warm.heapMb)} -> ${round1(end.heapMb)} MB`)
  add(env.latchkey.child.exitCode === null, 'latchkey still running')
  return checks
}

// ---------------------------------------------------------------------------------------------
// main

const planned = schedule(DURATION_MS)

async function main () {
  const env = await setup()
  process.stdout.write(`latchkey soak: ${DURATION_MS / 1000}s, concurrency ${CONCURRENCY}, ${env.conns.length} connections ` +
    `(${env.conns.map((c) => c.id).join(', ')}), cache redis on port ${env.redis.port}\n` +
    'note: oauth2 is not built yet (it needs the connect flow, SPEC 8): no oauth2 connection is soaked\n')
  // Measured before any traffic: the values the end must come back to.
  await sleep(500)
  const start = await env.settled()
  const tokensAtStart = { ...env.tokens.stats }
  process.stdout.write(`\n${startTable(start, tokensAtStart)}\n\n`)

  const pool = new Pool(env.latchkey.address, { connections: CONCURRENCY, pipelining: 1, keepAliveTimeout: 60_000 })
  const w = { reset: {}, token: {}, redis: {}, tokenRecovered: {} }
  const started = performance.now()
  const watch = watchProcess(env, started, planned)
  const progress = setInterval(() => process.stderr.write(`  ${Math.round((performance.now() - started) / 1000)}s\n`), 10_000)
  const [tally] = await Promise.all([drive(env, pool, w, started), injectFaults(env, w, started, planned)])
  clearInterval(progress)
  await watch.stop()
  await pool.close()
  process.stderr.write('traffic done; waiting for idle sockets to close\n')
  const { stats: end, waitedMs } = await settle(env, start)

  const result = { tally, start, end, samples: watch.samples, env, tokensAtStart, tokensAtEnd: { ...env.tokens.stats } }
  const checks = verdict(result)
  const failed = checks.filter((c) => !c.ok)
  const out = [
    '', `at end (after the traffic and ${round1(waitedMs / 1000)}s of settling):`, endTable(result),
    '', connTable(env, tally), '', ...faultLines(w, env, tally), '', logSummary(env.logFile),
    ...(tally.examples.length > 0 ? ['', 'first unexpected answers:', ...tally.examples.map((e) => `  ${JSON.stringify(e)}`)] : []),
    '', ...checks.map((c) => `  ${c.ok ? 'ok  ' : 'FAIL'}  ${c.text}`),
    `verdict: ${failed.length === 0 ? 'PASS' : `FAIL (${failed.length} of ${checks.length} checks)`}`,
  ]
  process.stdout.write(out.join('\n') + '\n')
  return failed.length === 0
}

main().then(async (ok) => {
  await cleanup()
  process.exit(ok ? 0 : 1)
}, async (err) => {
  process.stderr.write(`soak failed: ${err.stack ?? err}\n`)
  await cleanup()
  process.exit(1)
})
