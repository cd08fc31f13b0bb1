/**
 * SPEC 3 `cluster_nodes`: two gateway processes on one Redis Cluster share everything they
 * would share on one Redis: a single token request for 200 cold concurrent requests, one rate
 * limit, stored connections (created on one, served by the other, deleted on the other), and
 * secrets set with the CLI.
 */
import t from 'tap'
import { ADMIN, CLIENT_SECRET, eventually, twoGateways } from './two-gateways.js'

const CONCURRENCY = 200

t.test('two gateways on a Redis Cluster', async (t) => {
  const gw = await twoGateways(t, {
    tokenDelayMs: 300,
    connections: '  limited: { connector: api, access: { anonymous: true }, rate_limit: { max: 10, window: 60s, per: connection } }\n' +
      '  from-cli: { connector: api, auth: secret, access: { anonymous: true } }\n',
  })
  const { a, b, idp, upstream } = gw
  const via = (i: number) => (i % 2 === 0 ? a : b).url

  t.test('one token request for 200 cold concurrent requests', async (t) => {
    const results = await Promise.all(Array.from({ length: CONCURRENCY }, async (_, i) => {
      const res = await fetch(`${via(i)}/proxy/api/item/${i}`)
      await res.text()
      return res.status
    }))
    t.same(results.filter((s) => s !== 200), [], 'every request succeeds')
    t.equal(idp.requests.length, 1, 'exactly one token request across both processes')
    t.same(new Set(upstream.received.map((r) => r.headers.authorization)), new Set([`Bearer ${idp.issued[0]}`]), 'all carry that token')
  })

  t.test('one rate limit across both', async (t) => {
    const statuses = await Promise.all(Array.from({ length: 30 }, async (_, i) => {
      const res = await fetch(`${via(i)}/proxy/limited/x`)
      await res.text()
      return res.status
    }))
    t.equal(statuses.filter((s) => s === 200).length, 10, 'max 10 per window, counted once for both processes')
    t.equal(statuses.filter((s) => s === 429).length, 20)
  })

  t.test('a stored connection created on one is served by the other', async (t) => {
    const put = await fetch(`${a.url}/admin/connections/stored-one`, {
      method: 'PUT',
      headers: ADMIN,
      body: JSON.stringify({ connector: 'api', auth: 'key', credentials: { api_key: 'stored-cred-51ab' }, access: { anonymous: true } }),
    })
    t.equal(put.status, 201, await put.text())
    upstream.received.length = 0
    const res = await fetch(`${b.url}/proxy/stored-one/hello`)
    t.equal(res.status, 200, await res.text())
    t.equal(upstream.received.at(-1)?.headers['x-api-key'], 'stored-cred-51ab', 'b injects the credential stored through a')

    const del = await fetch(`${b.url}/admin/connections/stored-one`, { method: 'DELETE', headers: ADMIN })
    t.equal(del.status, 204)
    const gone = await eventually(async () => (await fetch(`${a.url}/proxy/stored-one/hello`)).status === 404, 2000)
    t.ok(gone !== undefined, `deleted on b, gone on a (${gone} ms)`)
  })

  t.test('a secret set with the CLI is used by both within 2 s', async (t) => {
    for (const value of ['cli-secret-one-9f3a', 'cli-secret-two-0c7e']) {
      const set = await gw.cli(['secrets', 'set', 'api_token'], value)
      t.equal(set.code, 0, set.stderr)
      for (const gateway of [a, b]) {
        const seen = await eventually(async () => {
          upstream.received.length = 0
          const res = await fetch(`${gateway.url}/proxy/from-cli/x`)
          await res.text()
          return res.status === 200 && upstream.received.at(-1)?.headers.authorization === `Bearer ${value}`
        }, 2000)
        t.ok(seen !== undefined, `${gateway === a ? 'a' : 'b'} injects the new value (${seen} ms)`)
      }
    }
    const list = await gw.cli(['secrets', 'list'])
    t.same(list.stdout.split('\n').filter(Boolean).sort(), ['admin_key', 'api_token', 'cs'], 'listed by name only')
  })

  t.test('no secret in either process output', async (t) => {
    const output = gw.output()
    for (const secret of [CLIENT_SECRET, 'stored-cred-51ab', 'cli-secret-one-9f3a', 'cli-secret-two-0c7e', ...idp.issued, gw.masterKey]) {
      t.notOk(output.includes(secret), `no ${secret.slice(0, 6)}… in the logs`)
    }
    t.notMatch(output, /CROSSSLOT|MOVED|CLUSTERDOWN/, 'no cluster routing error was logged')
  })
})
