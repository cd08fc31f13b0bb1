/**
 * SPEC 3: `store` and `cache` of type redis take exactly one of `url` or `cluster_nodes`; each
 * node is a redis:// URL without a database; a cluster's key prefix holds no brace. Every
 * problem is reported at its YAML position.
 */
import t from 'tap'
import { load, problemsOf } from '../../helpers/config.js'

t.test('cluster_nodes loads for the store and the cache', async (t) => {
  const config = load(`
store: { type: redis, cluster_nodes: [redis://10.0.0.1:7000, redis://10.0.0.2:7000] }
cache: { type: redis, cluster_nodes: [redis://10.0.0.1:7000], key_prefix: "app:" }
`)
  t.same(config.cache.cluster_nodes, ['redis://10.0.0.1:7000'])
  t.equal(config.cache.url, undefined)
  t.same(config.store.cluster_nodes, ['redis://10.0.0.1:7000', 'redis://10.0.0.2:7000'])
})

t.test('problems, each at its position', async (t) => {
  t.same(problemsOf(`cache:
  type: redis
  url: redis://127.0.0.1:6379
  cluster_nodes: [redis://127.0.0.1:7000]
`), ["2:3: cache: the redis cache needs exactly one of 'url' or 'cluster_nodes'"], 'both given')
  t.same(problemsOf('store: { type: redis }\n'), ["1:8: store: the redis store needs exactly one of 'url' or 'cluster_nodes'"], 'neither given')
  t.same(problemsOf(`cache:
  type: redis
  cluster_nodes:
    - redis://127.0.0.1:7000
    - http://127.0.0.1:7001
    - redis://127.0.0.1:7002/3
    - not a url
`), [
    '5:7: cache.cluster_nodes[1]: expected a redis:// or rediss:// URL',
    '6:7: cache.cluster_nodes[2]: a Redis Cluster has no databases: drop the /N after the port',
    '7:7: cache.cluster_nodes[3]: expected a redis://host:port URL',
  ])
  t.same(problemsOf('cache: { type: redis, cluster_nodes: [redis://h:1], key_prefix: "a{b}:" }\n'),
    ["1:65: cache.key_prefix: a key prefix on a Redis Cluster may not contain '{' or '}' (latchkey places the hash tags)"])
  t.same(problemsOf('store: { type: file, path: ./d, cluster_nodes: [redis://h:1] }\n'), ["1:33: store.cluster_nodes: 'cluster_nodes' is for the redis store"])
  t.same(problemsOf('cache: { type: redis, cluster_nodes: [] }\n').length, 1, 'an empty list is refused')
})
