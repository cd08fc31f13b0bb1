/**
 * Crash safety: a child process rewrites the store in a tight loop and is SIGKILLed at random
 * moments. After every kill the store opens and every record opens whole, holding the last
 * value the child had acknowledged or a newer one: never corrupt, never older.
 */
import { once } from 'node:events'
import { readdir } from 'node:fs/promises'
import { join } from 'node:path'
import t from 'tap'
import { FileStore } from '../../../src/secrets/file-store.js'
import { generateMasterKey, parseMasterKey } from '../../../src/secrets/master-key.js'
import { spawnFixture } from '../../fixtures/secrets/spawn-ts.js'

const LANES = 2   // stores killed in parallel (one per CPU on a small CI machine)
const ROUNDS = 10 // kills per lane: 20 in all
const keyText = generateMasterKey()
const key = parseMasterKey(keyText)
// A killed writer may leave its lock; with one writer per store at a time, 50 ms is safe here.
const lock = { staleMs: 50 }

const sleep = (ms: number): Promise<void> => new Promise(resolve => setTimeout(resolve, ms))

/** Starts the writer, lets it commit for a random while, kills it; the last acknowledged step. */
async function killWriterAtRandom (dir: string): Promise<number> {
  const child = spawnFixture('store-writer.ts', ['loop', dir], { env: { LATCHKEY_MASTER_KEY: keyText, STALE_LOCK_MS: String(lock.staleMs) } })
  let acknowledged = 0
  let buffer = ''
  let first: () => void = () => {}
  const started = new Promise<void>(resolve => { first = resolve })
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    buffer += chunk
    const lines = buffer.split('\n')
    buffer = lines.pop() ?? ''
    for (const line of lines) acknowledged = Number(line)
    if (acknowledged > 0) first()
  })
  let stderr = ''
  child.stderr?.setEncoding('utf8').on('data', (d: string) => { stderr += d })
  const exited = once(child, 'exit')
  await Promise.race([started, exited.then(() => { throw new Error(`writer exited early: ${stderr}`) })])
  await sleep(Math.random() * 100)
  child.kill('SIGKILL')
  await exited
  return acknowledged
}

interface StoreState {
  /** records whose value is not a whole `<step>:<step*64 v>` */
  torn: string[]
  /** the highest step found */
  newest: number
  temps: number
}

/** Opens the store the way a restarted gateway would (this throws if the file were torn). */
async function inspectStore (dir: string): Promise<StoreState> {
  const store = await FileStore.open(dir, key, { lock })
  const state: StoreState = { torn: [], newest: 0, temps: 0 }
  for (const name of await store.list('secret')) {
    const value = await store.get('secret', name) ?? ''
    const match = /^(\d+):(v*)$/.exec(value)
    const step = Number(match?.[1])
    if (match === null || match[2]?.length !== step * 64) state.torn.push(name)
    else state.newest = Math.max(state.newest, step)
  }
  state.temps = (await readdir(dir)).filter(f => f.endsWith('.tmp')).length
  await store.close()
  return state
}

t.test('SIGKILL during writes never corrupts the store or loses an acknowledged write', async t => {
  const root = t.testdir()
  let kills = 0
  let leftovers = 0
  await Promise.all(Array.from({ length: LANES }, async (_, lane) => {
    const dir = join(root, `lane${lane}`)
    for (let round = 0; round < ROUNDS; round++) {
      const acknowledged = await killWriterAtRandom(dir)
      kills++
      // A lock or temp file left behind shows the kill landed inside a write.
      if ((await readdir(dir)).some(f => f.endsWith('.tmp') || f === 'store.lock')) leftovers++
      const state = await inspectStore(dir)
      t.same(state.torn, [], 'every record holds a whole value')
      t.ok(state.newest >= acknowledged, `acknowledged step ${acknowledged} survived (store has ${state.newest})`)
      t.equal(state.temps, 0, 'temp files were cleaned up at open')
    }
  }))
  t.equal(kills, LANES * ROUNDS)
  t.comment(`${kills} kills, ${leftovers} of them inside a write (lock or temp file left behind)`)
})
