/**
 * The queue in Redis (`cache.type: redis`): shared by every gateway process, kept across
 * restarts. Every key sits under one hash tag, `<prefix>{events}:…`, so each script below
 * touches a single slot and runs unchanged on Redis Cluster. Every step that moves an event
 * (enqueue with its dedupe mark, claim, ack, reschedule, bury, re-queue) is one Lua script:
 * atomic, and ack/reschedule/bury act only for the holder of the claim's lease token.
 *
 * Keys: `due` (zset id -> due ms; a claimed event's score is its lease end), `events` (hash
 * id -> event JSON, never changed), `state` (hash id -> attempts JSON), `lease` (hash id ->
 * token), `age` (zset id -> queued ms, undelivered only), `dead` (zset id -> buried ms),
 * `seen:<sha256>` (dedupe marks, with PX).
 */
import { createHash, randomBytes } from 'node:crypto'
import { closeRedisClient, type RedisClient } from '../../redis/connect.js'
import { eventKeys, type EventKeys } from '../../redis/keys.js'
import type { QueuedEvent } from '../event.js'
import { MAX_DEAD_LETTERS, type ClaimedEvent, type DeadLetter, type Dedupe, type DeliveryState, type EventQueue, type QueueStats } from './types.js'

const ENQUEUE = `
if tonumber(ARGV[5]) > 0 then
  if not redis.call('set', KEYS[5], '1', 'NX', 'PX', ARGV[5]) then return 0 end
end
redis.call('hset', KEYS[2], ARGV[1], ARGV[3])
redis.call('hset', KEYS[3], ARGV[1], ARGV[4])
redis.call('zadd', KEYS[1], ARGV[2], ARGV[1])
redis.call('zadd', KEYS[4], ARGV[2], ARGV[1])
return 1`

const CLAIM = `
local ids = redis.call('zrangebyscore', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, tonumber(ARGV[3]))
local out = {}
for _, id in ipairs(ids) do
  local event = redis.call('hget', KEYS[2], id)
  if event then
    redis.call('zadd', KEYS[1], ARGV[2], id)
    redis.call('hset', KEYS[4], id, ARGV[4])
    out[#out + 1] = id
    out[#out + 1] = event
    out[#out + 1] = redis.call('hget', KEYS[3], id) or ''
  else
    redis.call('zrem', KEYS[1], id)
  end
end
return out`

const ACK = `
if redis.call('hget', KEYS[4], ARGV[1]) ~= ARGV[2] then return 0 end
redis.call('zrem', KEYS[1], ARGV[1])
redis.call('hdel', KEYS[2], ARGV[1])
redis.call('hdel', KEYS[3], ARGV[1])
redis.call('hdel', KEYS[4], ARGV[1])
redis.call('zrem', KEYS[5], ARGV[1])
return 1`

const RESCHEDULE = `
if redis.call('hget', KEYS[3], ARGV[1]) ~= ARGV[2] then return 0 end
redis.call('zadd', KEYS[1], ARGV[3], ARGV[1])
redis.call('hset', KEYS[2], ARGV[1], ARGV[4])
redis.call('hdel', KEYS[3], ARGV[1])
return 1`

const BURY = `
if redis.call('hget', KEYS[3], ARGV[1]) ~= ARGV[2] then return 0 end
redis.call('zrem', KEYS[1], ARGV[1])
redis.call('hset', KEYS[2], ARGV[1], ARGV[4])
redis.call('hdel', KEYS[3], ARGV[1])
redis.call('zrem', KEYS[4], ARGV[1])
redis.call('zadd', KEYS[5], ARGV[3], ARGV[1])
local over = redis.call('zcard', KEYS[5]) - tonumber(ARGV[5])
if over > 0 then
  for _, old in ipairs(redis.call('zrange', KEYS[5], 0, over - 1)) do
    redis.call('zrem', KEYS[5], old)
    redis.call('hdel', KEYS[6], old)
    redis.call('hdel', KEYS[2], old)
  end
end
return 1`

const REQUEUE = `
if redis.call('zrem', KEYS[1], ARGV[1]) == 0 then return 0 end
redis.call('hset', KEYS[3], ARGV[1], ARGV[3])
redis.call('zadd', KEYS[2], ARGV[2], ARGV[1])
redis.call('zadd', KEYS[4], ARGV[2], ARGV[1])
return 1`

type Script = (...args: Array<string | number>) => Promise<unknown>
const SCRIPTS = { enqueue: [ENQUEUE, 5], claim: [CLAIM, 4], ack: [ACK, 5], reschedule: [RESCHEDULE, 3], bury: [BURY, 6], requeue: [REQUEUE, 4] } as const
type Scripts = Record<keyof typeof SCRIPTS, Script>

export class RedisEventQueue implements EventQueue {
  readonly durable = true
  readonly #client: RedisClient
  readonly #keys: EventKeys
  readonly #script: Scripts

  constructor (client: RedisClient, prefix: string) {
    this.#client = client
    this.#keys = eventKeys(prefix)
    const defined: Partial<Scripts> = {}
    for (const [name, [lua, numberOfKeys]] of Object.entries(SCRIPTS)) {
      // defineCommand runs EVALSHA, and EVAL once when Redis does not know the script (restart).
      const command = `latchkeyEvents_${name}`
      if (!(command in client)) client.defineCommand(command, { lua, numberOfKeys })
      defined[name as keyof Scripts] = (...args) => (client as unknown as Record<string, Script>)[command]!(...args)
    }
    this.#script = defined as Scripts
  }

  async enqueue (event: QueuedEvent, nowMs: number, dedupe?: Dedupe): Promise<'queued' | 'duplicate'> {
    const k = this.#keys
    // The mark's name is a digest: the provider's event id is caller input of any length.
    const seen = k.seen + createHash('sha256').update(dedupe?.key ?? event.id).digest('hex')
    const state: DeliveryState = { attempts: 0, since: nowMs }
    const added = await this.#script.enqueue(k.due, k.events, k.state, k.age, seen,
      event.id, nowMs, JSON.stringify(event), JSON.stringify(state), dedupe === undefined ? 0 : Math.max(1, Math.ceil(dedupe.ttlMs)))
    return added === 1 ? 'queued' : 'duplicate'
  }

  async claim (nowMs: number, leaseMs: number, max: number): Promise<ClaimedEvent[]> {
    const k = this.#keys
    const lease = randomBytes(12).toString('hex')
    const flat = await this.#script.claim(k.due, k.events, k.state, k.lease, nowMs, nowMs + leaseMs, max, lease) as string[]
    const claimed: ClaimedEvent[] = []
    for (let i = 0; i + 2 < flat.length; i += 3) {
      const event = parseJson<QueuedEvent>(flat[i + 1]!)
      if (event === undefined) continue
      claimed.push({ event, state: parseJson<DeliveryState>(flat[i + 2]!) ?? { attempts: 0, since: event.created_at }, lease })
    }
    return claimed
  }

  async ack (claimed: ClaimedEvent): Promise<void> {
    const k = this.#keys
    await this.#script.ack(k.due, k.events, k.state, k.lease, k.age, claimed.event.id, claimed.lease)
  }

  async reschedule (claimed: ClaimedEvent, dueMs: number, state: DeliveryState): Promise<void> {
    const k = this.#keys
    await this.#script.reschedule(k.due, k.state, k.lease, claimed.event.id, claimed.lease, Math.ceil(dueMs), JSON.stringify(state))
  }

  async bury (claimed: ClaimedEvent, state: DeliveryState, nowMs: number): Promise<void> {
    const k = this.#keys
    await this.#script.bury(k.due, k.state, k.lease, k.age, k.dead, k.events, claimed.event.id, claimed.lease, nowMs, JSON.stringify(state), MAX_DEAD_LETTERS)
  }

  async dead (limit: number): Promise<DeadLetter[]> {
    const k = this.#keys
    const flat = await this.#client.zrevrange(k.dead, 0, limit - 1, 'WITHSCORES')
    const ids: string[] = []
    const at: number[] = []
    for (let i = 0; i + 1 < flat.length; i += 2) {
      ids.push(flat[i]!)
      at.push(Number(flat[i + 1]))
    }
    if (ids.length === 0) return []
    const [events, states] = await Promise.all([this.#client.hmget(k.events, ...ids), this.#client.hmget(k.state, ...ids)])
    const letters: DeadLetter[] = []
    ids.forEach((_id, i) => {
      const event = events[i] == null ? undefined : parseJson<QueuedEvent>(events[i]!)
      if (event === undefined) return
      letters.push({ event, state: parseJson<DeliveryState>(states[i] ?? '') ?? { attempts: 0, since: event.created_at }, dead_at: at[i]! })
    })
    return letters
  }

  async requeueDead (id: string, nowMs: number): Promise<boolean> {
    const k = this.#keys
    const state: DeliveryState = { attempts: 0, since: nowMs }
    return await this.#script.requeue(k.dead, k.due, k.state, k.age, id, nowMs, JSON.stringify(state)) === 1
  }

  async stats (nowMs: number): Promise<QueueStats> {
    const k = this.#keys
    const [depth, oldest] = await Promise.all([this.#client.zcard(k.age), this.#client.zrange(k.age, '0', '0', 'WITHSCORES')])
    const first = oldest[1] === undefined ? undefined : Number(oldest[1])
    return { depth, oldestAgeSeconds: first === undefined ? 0 : Math.max(0, (nowMs - first) / 1000) }
  }

  async close (): Promise<void> {
    await closeRedisClient(this.#client)
  }
}

function parseJson<T> (text: string): T | undefined {
  try {
    return JSON.parse(text) as T
  } catch {
    return undefined
  }
}
