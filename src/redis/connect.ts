/**
 * The one place a Redis client is made: `url` gives an ioredis `Redis`, `cluster_nodes` a
 * `Cluster` (SPEC 3). Every opener (token cache, rate limits, connect sessions, event queue,
 * sealed store, the CLI) asks here with the behaviour it needs while Redis is away; none builds
 * its own client.
 *
 * Pub/sub on a cluster is classic SUBSCRIBE/PUBLISH: Redis Cluster broadcasts every PUBLISH to
 * all nodes, so a subscriber on any one node hears every process. The messages are few (one per
 * store write, token fetch or purge), so the broadcast costs little, and it keeps working while
 * any one master is down, where a sharded channel (SSUBSCRIBE, Redis 7) would go silent with its
 * shard. The subscriber is a plain connection that moves to the next listed node when its node
 * goes away (createRedisSubscriber), rather than the Cluster client's own: that one switches
 * nodes without telling, and a listener must learn that messages may have been missed.
 */
import { once } from 'node:events'
import type { Cluster, ClusterOptions, Redis, RedisOptions } from 'ioredis'
import { ioredisLib } from '../lazy-libs.js'

/** What `store` and `cache` of type redis give: exactly one of the two (checked at load). */
export interface RedisEndpoint {
  url?: string | undefined
  cluster_nodes?: readonly string[] | undefined
}

export type RedisClient = Redis | Cluster

/** Which of latchkey's Redis connections failed (`latchkey_redis_errors_total{role}`). */
export type RedisRole = 'cache' | 'cache_subscriber' | 'store' | 'store_subscriber' | 'events' | 'connect_sessions'

/** Counts a connection error of one role; the error itself is never logged per occurrence. */
export type RedisErrorCounter = (role: RedisRole) => void

export interface ClientBehaviour {
  /**
   * false: a command while disconnected fails at once instead of waiting in memory for the
   * reconnect (the callers then degrade: serve from the process, refuse a webhook, answer 500).
   */
  offlineQueue: boolean
  /** Reconnect attempts a command waits through before it fails. */
  retriesPerRequest: number
  /** Per-command deadline; omitted for a subscriber, which waits for messages indefinitely. */
  commandTimeoutMs?: number | undefined
  connectTimeoutMs: number
}

/** A client that has not connected yet (lazyConnect): the opener decides how to wait for it. */
export function createRedisClient (endpoint: RedisEndpoint, behaviour: ClientBehaviour): RedisClient {
  const common: RedisOptions = {
    lazyConnect: true,
    connectTimeout: behaviour.connectTimeoutMs,
    maxRetriesPerRequest: behaviour.retriesPerRequest,
    ...(behaviour.commandTimeoutMs === undefined ? {} : { commandTimeout: behaviour.commandTimeoutMs }),
  }
  const nodes = endpoint.cluster_nodes
  if (nodes !== undefined && nodes.length > 0) return new (ioredisLib().Cluster)(nodes.map(nodeAddress), clusterOptions(nodes, common, behaviour))
  if (endpoint.url === undefined) throw new Error('a redis store or cache needs url or cluster_nodes')
  return new (ioredisLib().Redis)(endpoint.url, { ...common, enableOfflineQueue: behaviour.offlineQueue })
}

function clusterOptions (nodes: readonly string[], common: RedisOptions, behaviour: ClientBehaviour): ClusterOptions {
  // Every node of a cluster takes the same credentials and TLS: those of the first URL that has
  // them go to each connection, including nodes learnt from CLUSTER SLOTS and not listed.
  const auth = nodes.map(parseNodeUrl).find((node) => node.username !== undefined || node.password !== undefined)
  const tls = nodes.some((node) => node.startsWith('rediss://'))
  const { lazyConnect: _lazy, ...perNode } = common
  return {
    lazyConnect: true,
    enableOfflineQueue: behaviour.offlineQueue,
    // A MOVED or ASK after a node left is followed a few times; a slot whose master is down
    // fails its command rather than retrying for seconds (callers degrade, see `offlineQueue`).
    maxRedirections: 4,
    retryDelayOnFailover: 100,
    retryDelayOnClusterDown: 100,
    slotsRefreshTimeout: Math.max(1000, behaviour.connectTimeoutMs),
    // Keep trying to reach the cluster while every node is away, like a single Redis does.
    clusterRetryStrategy: (times) => Math.min(100 * times, 2000),
    redisOptions: {
      ...perNode,
      ...(auth?.username === undefined ? {} : { username: auth.username }),
      ...(auth?.password === undefined ? {} : { password: auth.password }),
      ...(tls ? { tls: {} } : {}),
    },
  }
}

/**
 * A connection for SUBSCRIBE only (a subscribed connection can run nothing else). With a
 * cluster it is a plain `Redis` on one node, moving round the listed nodes on each reconnect;
 * either way it emits `ready` on every (re)connect and re-subscribes by itself (ioredis'
 * autoResubscribe), so a listener can treat every `ready` after the first as "messages may have
 * been missed".
 */
export function createRedisSubscriber (endpoint: RedisEndpoint, behaviour: Omit<ClientBehaviour, 'commandTimeoutMs'>): Redis {
  const common: RedisOptions = { lazyConnect: true, connectTimeout: behaviour.connectTimeoutMs, maxRetriesPerRequest: behaviour.retriesPerRequest, enableOfflineQueue: behaviour.offlineQueue }
  const nodes = endpoint.cluster_nodes
  if (nodes === undefined || nodes.length === 0) {
    if (endpoint.url === undefined) throw new Error('a redis store or cache needs url or cluster_nodes')
    return new (ioredisLib().Redis)(endpoint.url, common)
  }
  const parsed = nodes.map(parseNodeUrl)
  const auth = parsed.find((node) => node.username !== undefined || node.password !== undefined)
  let next = 0
  const subscriber: Redis = new (ioredisLib().Redis)({
    ...common,
    host: parsed[0]!.host,
    port: parsed[0]!.port,
    ...(auth?.username === undefined ? {} : { username: auth.username }),
    ...(auth?.password === undefined ? {} : { password: auth.password }),
    ...(nodes.some((node) => node.startsWith('rediss://')) ? { tls: {} } : {}),
    retryStrategy: (times) => {
      // ioredis reads host and port from its options on every connect: the next attempt goes
      // to the next node, so one node down costs one reconnect, not an outage.
      next = (next + 1) % parsed.length
      subscriber.options.host = parsed[next]!.host
      subscriber.options.port = parsed[next]!.port
      return Math.min(50 * times, 1000)
    },
  })
  return subscriber
}

interface NodeUrl { host: string, port: number, username?: string, password?: string }

/** `redis://[user:pass@]host:port`; the config check has refused anything else. */
function parseNodeUrl (text: string): NodeUrl {
  const url = new URL(text)
  const host = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname
  return {
    host,
    port: url.port === '' ? 6379 : Number(url.port),
    ...(url.username === '' ? {} : { username: decodeURIComponent(url.username) }),
    ...(url.password === '' ? {} : { password: decodeURIComponent(url.password) }),
  }
}

function nodeAddress (text: string): { host: string, port: number } {
  const { host, port } = parseNodeUrl(text)
  return { host, port }
}

/** Long enough for QUIT's round trip on a connected client. */
const QUIT_WAIT_MS = 2_000

/**
 * QUIT, and resolves once the socket is closed (quit() alone resolves on the OK reply). A client
 * that is not connected (Redis is away, it waits to reconnect) could only hold QUIT in an
 * offline queue, and ioredis never ends it: it is disconnected at once instead, which cancels
 * the reconnect. A connected one that does not answer QUIT within QUIT_WAIT_MS is dropped too,
 * so a shutdown never waits on Redis.
 */
export async function closeRedisClient (client: RedisClient): Promise<void> {
  if (client.status === 'end') return
  if (client.status !== 'ready') {
    client.disconnect()
    return
  }
  const ended = once(client, 'end')
  client.quit().catch(() => { client.disconnect() })
  let waiting: NodeJS.Timeout | undefined
  await Promise.race([ended, new Promise((resolve) => { waiting = setTimeout(resolve, QUIT_WAIT_MS) })])
  clearTimeout(waiting)
  // (status is read again: it changed while waiting, which TypeScript's narrowing cannot know)
  if ((client.status as string) !== 'end') client.disconnect()
}
