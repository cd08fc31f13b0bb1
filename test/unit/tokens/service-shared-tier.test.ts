/**
 * TokenService against an in-memory shared tier that behaves like the Redis one (SET NX PX lock
 * with an owner, pub/sub announcements), several services playing several processes. The
 * interleavings the real two-process test cannot force are forced here: a token stored between
 * the read and the lock, a missed announcement, a lock holder that dies, a holder that fails.
 */
import t from 'tap'
import { GatewayError } from '../../../src/errors.js'
import { TokenService, type FetchedToken } from '../../../src/tokens/service.js'
import type { SharedTokenStore, Token, TokenLock } from '../../../src/tokens/types.js'

class SharedState {
  tokens = new Map<string, Token>()
  locks = new Map<string, { owner: number, until: number }>()
  failures = new Map<string, number>()
  views: View[] = []
  down = false
  nextOwner = 1
  /** Runs before a lock attempt (to interleave another "process"). */
  beforeLock: (() => void) | undefined
  /** Announcements are dropped (a lost pub/sub message). */
  deaf = false

  view (): View {
    const view = new View(this)
    this.views.push(view)
    return view
  }
}

class View implements SharedTokenStore {
  readonly waiters = new Map<string, Set<() => void>>()
  readonly purgeListeners: Array<(key: string) => void> = []
  constructor (readonly state: SharedState) {}

  #check (): void { if (this.state.down) throw new Error('connection refused') }

  async get (key: string) { this.#check(); return this.state.tokens.get(key) }
  async set (key: string, token: Token) { this.#check(); this.state.tokens.set(key, token) }
  async delete (key: string) {
    this.#check()
    this.state.tokens.delete(key)
    for (const v of this.state.views) if (v !== this) for (const l of v.purgeListeners) l(key)
  }

  async setFailure (key: string, untilMs: number) { this.#check(); this.state.failures.set(key, untilMs) }
  async failureUntil (key: string) { this.#check(); return this.state.failures.get(key) }
  async lock (key: string, ttlMs: number): Promise<TokenLock | undefined> {
    this.#check()
    const hook = this.state.beforeLock
    this.state.beforeLock = undefined
    hook?.()
    const held = this.state.locks.get(key)
    if (held !== undefined && held.until > Date.now()) return undefined
    const owner = this.state.nextOwner++
    this.state.locks.set(key, { owner, until: Date.now() + ttlMs })
    return {
      release: async () => {
        this.#check()
        if (this.state.locks.get(key)?.owner === owner) this.state.locks.delete(key)
      },
    }
  }

  waitForAnnouncement (key: string, timeoutMs: number): Promise<void> {
    return new Promise((resolve) => {
      const set = this.waiters.get(key) ?? new Set()
      this.waiters.set(key, set)
      const done = () => { clearTimeout(timer); set.delete(done); resolve() }
      const timer = setTimeout(done, timeoutMs)
      set.add(done)
    })
  }

  async announce (key: string) {
    this.#check()
    if (this.state.deaf) return
    for (const v of this.state.views) for (const wake of [...v.waiters.get(key) ?? []]) wake()
  }

  onPurge (listener: (key: string) => void) { this.purgeListeners.push(listener) }
  async close () {}
}

/** A fetch that counts calls and can be held open until released. */
function counter (token = (n: number) => `tok-${n}`, usable_s = 3540) {
  let calls = 0
  let gate: Promise<void> = Promise.resolve()
  let open: () => void = () => {}
  return {
    get calls () { return calls },
    hold () { gate = new Promise((resolve) => { open = resolve }) },
    release () { open() },
    fetch: async (): Promise<FetchedToken> => {
      calls++
      const n = calls
      await gate
      return { access_token: token(n), usable_s }
    },
  }
}

const KEY = 'k1'

t.test('many concurrent callers in two processes: one fetch', async (t) => {
  const state = new SharedState()
  const a = new TokenService({ shared: state.view() })
  const b = new TokenService({ shared: state.view() })
  const f = counter()
  f.hold()
  const all = Array.from({ length: 100 }, (_, i) => (i % 2 === 0 ? a : b).token({ key: KEY, fetch: f.fetch }))
  await new Promise((resolve) => setTimeout(resolve, 20))
  f.release()
  t.same(new Set(await Promise.all(all)), new Set(['tok-1']))
  t.equal(f.calls, 1)
  t.equal(state.locks.size, 0, 'the lock is released')
})

t.test('a token stored between the read and the lock is used: re-check after locking', async (t) => {
  const state = new SharedState()
  const service = new TokenService({ shared: state.view() })
  const f = counter()
  state.beforeLock = () => state.tokens.set(KEY, { access_token: 'from-elsewhere', expires_at: Date.now() + 60_000 })
  t.equal(await service.token({ key: KEY, fetch: f.fetch }), 'from-elsewhere')
  t.equal(f.calls, 0, 'no fetch')
})

t.test('an expired shared token is never used', async (t) => {
  const state = new SharedState()
  let now = 1_000_000
  const service = new TokenService({ shared: state.view(), now: () => now })
  state.tokens.set(KEY, { access_token: 'stale', expires_at: now })
  const f = counter()
  t.equal(await service.token({ key: KEY, fetch: f.fetch }), 'tok-1')
  now += 3_540_000 - 1
  t.equal(await service.token({ key: KEY, fetch: f.fetch }), 'tok-1')
  now += 1
  t.equal(await service.token({ key: KEY, fetch: f.fetch }), 'tok-2', 'expired at expires_at exactly')
})

t.test('a missed announcement costs one re-check interval, not a second fetch', async (t) => {
  const state = new SharedState()
  state.deaf = true
  const a = new TokenService({ shared: state.view(), recheckMs: 50 })
  const b = new TokenService({ shared: state.view(), recheckMs: 50 })
  const f = counter()
  f.hold()
  const first = a.token({ key: KEY, fetch: f.fetch })
  await new Promise((resolve) => setTimeout(resolve, 5))
  const started = Date.now()
  const second = b.token({ key: KEY, fetch: f.fetch })
  setTimeout(() => f.release(), 10)
  t.equal(await first, 'tok-1')
  t.equal(await second, 'tok-1')
  t.equal(f.calls, 1)
  t.ok(Date.now() - started < 500, 'woken by the re-check')
})

t.test('a lock holder that dies: the lock expires and a waiter fetches', async (t) => {
  const state = new SharedState()
  state.locks.set(KEY, { owner: 0, until: Date.now() + 100 }) // held by a process that crashed
  const service = new TokenService({ shared: state.view(), recheckMs: 20 })
  const f = counter()
  t.equal(await service.token({ key: KEY, fetch: f.fetch }), 'tok-1')
  t.equal(f.calls, 1)
})

t.test('a failing lock holder: waiters fail fast with its back-off, no fetch of their own', async (t) => {
  const state = new SharedState()
  const a = new TokenService({ shared: state.view() })
  const b = new TokenService({ shared: state.view() })
  let calls = 0
  let fail: (err: Error) => void = () => {}
  const failing = () => { calls++; return new Promise<FetchedToken>((_resolve, reject) => { fail = reject }) }
  const first = a.token({ key: KEY, fetch: failing })
  await new Promise((resolve) => setTimeout(resolve, 5))
  const second = b.token({ key: KEY, fetch: failing })
  await new Promise((resolve) => setTimeout(resolve, 5))
  fail(new GatewayError('token_exchange_failed', 'the token endpoint answered 500'))
  await t.rejects(first, { code: 'token_exchange_failed', message: 'the token endpoint answered 500' })
  await t.rejects(second, { code: 'token_exchange_failed', message: /back-off/ })
  t.equal(calls, 1)
  t.equal(state.locks.size, 0, 'the failed holder released the lock')
  t.ok(state.failures.has(KEY), 'and left a failure marker')
})

t.test('shared tier down: fetch directly, serve from the process, log once', async (t) => {
  const state = new SharedState()
  const warnings: string[] = []
  const logger = { warn: (_o: unknown, msg: string) => { warnings.push(msg) }, info: (msg: string) => { warnings.push(msg) } }
  const service = new TokenService({ shared: state.view(), logger: logger as never })
  const f = counter()
  state.down = true
  t.equal(await service.token({ key: KEY, fetch: f.fetch }), 'tok-1')
  t.equal(await service.token({ key: KEY, fetch: f.fetch }), 'tok-1', 'served from the process')
  t.equal(await service.token({ key: 'k2', fetch: f.fetch }), 'tok-2')
  t.equal(f.calls, 2)
  t.equal(warnings.filter((w) => w.includes('unavailable')).length, 1, 'logged once')
  state.down = false
  t.equal(await service.token({ key: 'k3', fetch: f.fetch }), 'tok-3')
  t.equal(state.tokens.get('k3')?.access_token, 'tok-3', 'stored in the shared tier again')
  t.ok(warnings.some((w) => w.includes('available again')))
})

t.test('purge removes the rejected token only, everywhere', async (t) => {
  const state = new SharedState()
  const a = new TokenService({ shared: state.view() })
  const b = new TokenService({ shared: state.view() })
  const f = counter()
  t.equal(await a.token({ key: KEY, fetch: f.fetch }), 'tok-1')
  t.equal(await b.token({ key: KEY, fetch: f.fetch }), 'tok-1', 'b took it from the shared tier')

  await a.purge(KEY, 'some-older-token')
  t.equal(state.tokens.get(KEY)?.access_token, 'tok-1', 'a purge for another token leaves the current one')
  t.equal(await a.token({ key: KEY, fetch: f.fetch }), 'tok-1')

  await a.purge(KEY, 'tok-1')
  t.notOk(state.tokens.has(KEY), 'purged from the shared tier')
  t.equal(await b.token({ key: KEY, fetch: f.fetch }), 'tok-2', 'and from the other process')
  t.equal(await a.token({ key: KEY, fetch: f.fetch }), 'tok-2')
  t.equal(f.calls, 2)
})
