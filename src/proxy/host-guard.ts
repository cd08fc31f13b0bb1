/**
 * Where a templated base URL may point. A host must match the connector's `allowed_hosts`, and
 * (unless `server.allow_private_upstreams`) every address it resolves to must be public. The
 * address check runs inside the connection's DNS lookup, so a name that re-resolves to a
 * private address between check and connect (DNS rebinding) is still refused.
 */
import dns from 'node:dns'
import net from 'node:net'
import { GatewayError } from '../errors.js'
import { compileGlob, matchGlob } from '../text/glob.js'

const PRIVATE = new net.BlockList()
for (const [net4, prefix] of [
  ['0.0.0.0', 8], ['10.0.0.0', 8], ['100.64.0.0', 10], ['127.0.0.0', 8], ['169.254.0.0', 16],
  ['172.16.0.0', 12], ['192.0.0.0', 24], ['192.0.2.0', 24], ['192.168.0.0', 16], ['198.18.0.0', 15],
  ['198.51.100.0', 24], ['203.0.113.0', 24], ['224.0.0.0', 4], ['240.0.0.0', 4],
] as const) PRIVATE.addSubnet(net4, prefix, 'ipv4')
for (const [net6, prefix] of [
  ['::', 128], ['::1', 128], ['fc00::', 7], ['fe80::', 10], ['ff00::', 8], ['64:ff9b::', 96], ['2001:db8::', 32],
] as const) PRIVATE.addSubnet(net6, prefix, 'ipv6')

export function isPrivateAddress (address: string): boolean {
  const family = net.isIP(address)
  if (family === 4) return PRIVATE.check(address, 'ipv4')
  if (family === 6) {
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)
    if (mapped !== null) return PRIVATE.check(mapped[1]!, 'ipv4')
    return PRIVATE.check(address, 'ipv6')
  }
  return true
}

/**
 * Host globs: `*` matches one or more characters of one DNS label, `**` one or more labels; a
 * wildcard only ever matches `[a-z0-9-]` labels. Case-insensitive. Matched label by label in
 * linear time (src/text/glob.ts): the rendered host may come from a connection's config.
 */
export function compileHostGlobs (globs: readonly string[]): (host: string) => boolean {
  if (globs.length === 0) return () => false
  const patterns = globs.map((glob) => compileGlob(glob.toLowerCase().split('.'), HOST_GLOB))
  return (host) => {
    const labels = host.toLowerCase().split('.')
    return patterns.some((p) => matchGlob(p, labels))
  }
}

const DNS_LABEL = /^[a-z0-9-]+$/
const HOST_GLOB = { deepMin: 1, starMin: 1, wildcardable: (label: string) => DNS_LABEL.test(label) } as const

export const HOST_NOT_ALLOWED = 'upstream host is not allowed: it is not in the connector\'s allowed_hosts, or it is a private or loopback address (for a local upstream set server.allow_private_upstreams: true)'

export class PrivateAddressError extends Error {
  readonly code = 'LATCHKEY_PRIVATE_ADDRESS'
  constructor () { super(HOST_NOT_ALLOWED) }
}

/** Rejects an IP-literal host up front: net.connect skips the lookup for those. */
export function assertPublicLiteral (hostname: string): void {
  const bare = hostname.replace(/^\[|\]$/g, '')
  if (net.isIP(bare) !== 0 && isPrivateAddress(bare)) throw new GatewayError('invalid_path', HOST_NOT_ALLOWED)
}

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | dns.LookupAddress[], family?: number) => void

/** A `lookup` for net.connect that refuses private addresses. */
export function guardedLookup (hostname: string, options: dns.LookupOptions, callback: LookupCallback): void {
  dns.lookup(hostname, { ...options, all: true }, (err, addresses) => {
    if (err !== null) return callback(err, [])
    const list = addresses
    if (list.length === 0 || list.some((a) => isPrivateAddress(a.address))) return callback(new PrivateAddressError(), [])
    if (options.all === true) return callback(null, list)
    callback(null, list[0]!.address, list[0]!.family)
  })
}
