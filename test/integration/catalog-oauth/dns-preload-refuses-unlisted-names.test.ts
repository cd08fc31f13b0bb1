/**
 * The real-URL harness's guarantee that nothing leaves loopback: in the gateway process,
 * test/helpers/provider-dns.mjs resolves only the fakes' host names (to the fakes' loopback
 * address) and refuses every other name with ENOTFOUND, through dns.lookup (what net, tls and
 * undici use) and dns.promises.lookup alike, and says so on stderr; dns.resolve* and Resolvers
 * answer nothing at all.
 */
import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import t from 'tap'
import { catalogProvider, SHOPIFY_HOST } from '../../helpers/provider-fakes.js'
import { PRELOAD, proxied } from '../../helpers/provider-hosts.js'

t.test('the gateway cannot resolve a name the harness does not list', async (t) => {
  // A connector on a real, resolvable public name that no fake serves.
  const { h, fake } = await catalogProvider(t, 'shopify', {
    extraYaml: `connectors:
  unlisted:
    name: Unlisted
    base_url: https://www.example.com/api
connections:
  unlisted-1:
    connector: unlisted
    access: { callers: [app] }
`,
  })
  const res = await proxied(h, 'unlisted-1', '/ping')
  t.equal(res.status, 502)
  const body = await res.json() as { error: { code: string, message: string } }
  t.equal(body.error.code, 'upstream_unreachable')
  t.match(body.error.message, /host not found/)
  t.match(h.stderr(), /^provider-dns: refused www\.example\.com$/m, 'refused by the preload, not by a resolver')
  t.equal(fake.apiRequests.length, 0)
})

t.test('the preload: listed names to the loopback address, every other name ENOTFOUND', async (t) => {
  const script = `
const dns = require('node:dns')
const { lookup } = require('node:dns/promises')
const one = (name, options) => new Promise((resolve) => dns.lookup(name, options, (err, address, family) => resolve(err ? err.code : [address, family])))
;(async () => {
  const out = {
    listed: await one('${SHOPIFY_HOST}', {}),
    listedAll: await one('${SHOPIFY_HOST.toUpperCase()}.', { all: true }),
    listedV6: await one('${SHOPIFY_HOST}', { family: 6 }),
    unlisted: await one('www.example.com', {}),
    unlistedAll: await one('api.notion.com', { all: true }),
    localhost: await one('localhost', {}),
    loopbackLiteral: await one('127.0.0.1', {}),
    publicLiteral: await one('93.184.215.14', {}),
    promisesListed: await lookup('${SHOPIFY_HOST}'),
    promisesUnlisted: await lookup('www.example.com').catch((err) => err.code),
    resolve4: await new Promise((resolve) => dns.resolve4('${SHOPIFY_HOST}', (err) => resolve(err ? err.code : 'resolved'))),
    resolver: await new dns.promises.Resolver().resolve4('www.example.com').catch((err) => err.code),
  }
  process.stdout.write(JSON.stringify(out))
})()`
  const { stdout, stderr } = await promisify(execFile)(process.execPath, ['--import', PRELOAD, '-e', script], {
    env: { PATH: process.env.PATH ?? '', LATCHKEY_TEST_PROVIDER_ADDRESS: '127.0.0.77', LATCHKEY_TEST_PROVIDER_HOSTS: SHOPIFY_HOST },
  })
  t.same(JSON.parse(stdout), {
    listed: ['127.0.0.77', 4],
    listedAll: [[{ address: '127.0.0.77', family: 4 }], undefined],
    listedV6: 'ENOTFOUND',
    unlisted: 'ENOTFOUND',
    unlistedAll: 'ENOTFOUND',
    localhost: 'ENOTFOUND',
    loopbackLiteral: ['127.0.0.1', 4],
    publicLiteral: 'ENOTFOUND',
    promisesListed: { address: '127.0.0.77', family: 4 },
    promisesUnlisted: 'ENOTFOUND',
    resolve4: 'ENOTFOUND',
    resolver: 'ENOTFOUND',
  }, 'no resolver query: even a listed name is only answered through lookup')
  t.match(stderr, /provider-dns: active, 1 names -> 127\.0\.0\.77/)
  t.match(stderr, /provider-dns: refused www\.example\.com/)

  const refused = await promisify(execFile)(process.execPath, ['--import', PRELOAD, '-e', '0'], { env: { PATH: process.env.PATH ?? '', LATCHKEY_TEST_PROVIDER_ADDRESS: '10.0.0.1' } })
    .then(() => 'loaded', (err: { stderr: string }) => err.stderr)
  t.match(refused, /must be a 127\.x\.y\.z address/, 'a non-loopback address is refused: the preload does not load')
})
