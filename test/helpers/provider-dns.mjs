/**
 * A preload (`node --import ./test/helpers/provider-dns.mjs ...`) for the real-URL catalog
 * tests: dns.lookup and dns.promises.lookup (the only resolution net, tls and undici use) are
 * replaced before any application code runs (and dns.resolve*, dns.reverse and Resolvers refuse
 * every name), so that the provider host names listed in
 * LATCHKEY_TEST_PROVIDER_HOSTS (comma-separated, exact names) resolve to the one loopback
 * address in LATCHKEY_TEST_PROVIDER_ADDRESS, loopback IP literals resolve to themselves, and
 * every other name fails with ENOTFOUND without any query leaving the process. Each refusal
 * is written to stderr as `provider-dns: refused <name>`, so a test can tell that this module
 * (not the system resolver) answered. Without a loopback address it refuses to load at all.
 */
import dns from 'node:dns'
import { syncBuiltinESMExports } from 'node:module'
import net from 'node:net'

const address = process.env.LATCHKEY_TEST_PROVIDER_ADDRESS ?? ''
if (!/^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(address) || net.isIP(address) !== 4) {
  throw new Error(`provider-dns: LATCHKEY_TEST_PROVIDER_ADDRESS must be a 127.x.y.z address, got ${JSON.stringify(address)}`)
}
const hosts = new Set((process.env.LATCHKEY_TEST_PROVIDER_HOSTS ?? '').split(',').map((h) => h.trim().toLowerCase()).filter((h) => h !== ''))

const LOOPBACK = new net.BlockList()
LOOPBACK.addSubnet('127.0.0.0', 8, 'ipv4')
LOOPBACK.addAddress('::1', 'ipv6')

/** The address `hostname` resolves to here, or undefined (refused). */
function resolve (hostname) {
  const name = String(hostname).toLowerCase().replace(/\.$/, '')
  if (hosts.has(name)) return { address, family: 4 }
  const bare = name.replace(/^\[|\]$/g, '')
  const family = net.isIP(bare)
  if (family !== 0 && LOOPBACK.check(bare, family === 4 ? 'ipv4' : 'ipv6')) return { address: bare, family }
  return undefined
}

function notFound (hostname) {
  process.stderr.write(`provider-dns: refused ${hostname}\n`)
  const err = new Error(`getaddrinfo ENOTFOUND ${hostname}`)
  err.code = 'ENOTFOUND'
  err.errno = -3008
  err.syscall = 'getaddrinfo'
  err.hostname = hostname
  return err
}

/** The answer dns.lookup would give for `options` (family, all), or an ENOTFOUND error. */
function answer (hostname, options) {
  const found = resolve(hostname)
  const family = options.family === 'IPv4' ? 4 : options.family === 'IPv6' ? 6 : Number(options.family ?? 0)
  if (found === undefined || (family !== 0 && family !== found.family)) return { error: notFound(hostname) }
  return { found }
}

function normalise (options) {
  if (typeof options === 'number') return { family: options }
  return options ?? {}
}

function lookup (hostname, options, callback) {
  if (typeof options === 'function') {
    callback = options
    options = {}
  }
  const opts = normalise(options)
  const { error, found } = answer(hostname, opts)
  process.nextTick(() => {
    if (error !== undefined) return callback(error)
    if (opts.all === true) return callback(null, [found])
    callback(null, found.address, found.family)
  })
}

async function promisesLookup (hostname, options) {
  const opts = normalise(options)
  const { error, found } = answer(hostname, opts)
  if (error !== undefined) throw error
  return opts.all === true ? [found] : found
}

dns.lookup = lookup
dns.promises.lookup = promisesLookup
// Nothing in latchkey queries DNS directly (net, tls and undici go through lookup), but should
// anything try, the resolve* family and Resolvers refuse every name too: no query leaves.
const refuseCallback = (name) => function (hostname, ...rest) {
  const callback = rest.at(-1)
  process.nextTick(() => callback(notFound(hostname ?? name)))
}
const refusePromise = (name) => async function (hostname) { throw notFound(hostname ?? name) }
for (const key of Object.keys(dns)) {
  if (/^resolve|^reverse$/.test(key) && typeof dns[key] === 'function') dns[key] = refuseCallback(key)
}
for (const key of Object.keys(dns.promises)) {
  if (/^resolve|^reverse$/.test(key) && typeof dns.promises[key] === 'function') dns.promises[key] = refusePromise(key)
}
for (const [proto, refuse] of [[dns.Resolver.prototype, refuseCallback], [dns.promises.Resolver.prototype, refusePromise]]) {
  for (const key of Object.getOwnPropertyNames(proto)) {
    if (/^resolve|^reverse$/.test(key) && typeof proto[key] === 'function') proto[key] = refuse(key)
  }
}
// ESM named imports (`import { lookup } from 'node:dns'`) see the replacement too.
syncBuiltinESMExports()
process.stderr.write(`provider-dns: active, ${hosts.size} names -> ${address}\n`)
