/**
 * The redis store keeps opened secrets in memory while its subscription to the store's write
 * channel is up, so a proxied request no longer reads Redis for its secrets; a write by another
 * process (put, delete) is seen at once through that channel.
 */
import t from 'tap'
import { generateMasterKey, parseMasterKey } from '../../../src/secrets/master-key.js'
import { openSealedStore } from '../../../src/secrets/open-store.js'
import type { SealedStore } from '../../../src/secrets/types.js'
import { startRedisServer } from '../../helpers/redis.js'
import { Redis } from 'ioredis'

const key = parseMasterKey(generateMasterKey())

async function hgetCalls (client: Redis): Promise<number> {
  const stats = await client.info('commandstats')
  return Number(/cmdstat_hget:calls=(\d+)/.exec(stats)?.[1] ?? 0)
}

async function eventually (t: { fail: (message: string) => unknown }, what: string, check: () => Promise<boolean>): Promise<void> {
  for (let waited = 0; waited < 5_000; waited += 20) {
    if (await check()) return
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
  t.fail(`${what}: not within 5 s`)
}

t.test('secrets are read from Redis once, and changes by another process are seen', async (t) => {
  const redis = await startRedisServer(t)
  const client = new Redis(redis.url, { lazyConnect: true })
  await client.connect()
  t.teardown(() => client.quit())
  const config = { type: 'redis' as const, url: `${redis.url}/0`, key_prefix: 'cache-test:' }
  const gateway: SealedStore = await openSealedStore(config, key)
  const cli: SealedStore = await openSealedStore(config, key)
  t.teardown(async () => { await gateway.close(); await cli.close() })

  await cli.put('secret', 'upstream_key', 'uk-cache-v1')
  // The first reads subscribe; once the subscription is up a read is kept.
  await eventually(t, 'kept after the subscription is up', async () => {
    t.equal(await gateway.get('secret', 'upstream_key'), 'uk-cache-v1')
    const before = await hgetCalls(client)
    await gateway.get('secret', 'upstream_key')
    return await hgetCalls(client) === before
  })
  const before = await hgetCalls(client)
  for (let i = 0; i < 100; i++) t.equal(await gateway.get('secret', 'upstream_key'), 'uk-cache-v1')
  t.equal(await hgetCalls(client) - before, 0, '100 reads, no HGET')

  await cli.put('secret', 'upstream_key', 'uk-cache-v2')
  await eventually(t, 'a put by another process', async () => await gateway.get('secret', 'upstream_key') === 'uk-cache-v2')
  await cli.delete('secret', 'upstream_key')
  await eventually(t, 'a delete by another process', async () => await gateway.get('secret', 'upstream_key') === undefined)
  t.pass('changes seen')
})
