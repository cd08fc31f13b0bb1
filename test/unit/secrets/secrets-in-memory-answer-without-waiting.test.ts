/**
 * The data plane's secret lookup (src/runtime/secrets.ts) answers synchronously when the store
 * holds every value in memory and current (the file store's snapshot is fresh), so a request
 * waits for no promise; when the snapshot is due a re-check, it waits for the store, and sees a
 * value written by another process. A missing secret stays out of the answer either way.
 */
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import t from 'tap'
import { secretLookup } from '../../../src/runtime/secrets.js'
import { FileStore } from '../../../src/secrets/file-store.js'
import { generateMasterKey, parseMasterKey } from '../../../src/secrets/master-key.js'
import { NOT_AT_HAND } from '../../../src/secrets/types.js'

const key = parseMasterKey(generateMasterKey())

t.test('in memory: a Map at once; due a re-check: a promise of the current values', async (t) => {
  const dir = join(t.testdir(), 'data')
  const writer = await FileStore.open(dir, key)
  t.teardown(() => writer.close())
  await writer.put('secret', 'a', 'value-a')
  const store = await FileStore.open(dir, key, { reloadIntervalMs: 200 })
  t.teardown(() => store.close())
  const lookup = secretLookup(store)
  const names = ['a', 'missing']

  const now = lookup(names)
  t.notOk(now instanceof Promise, 'answered without a promise')
  t.same([...(now as ReadonlyMap<string, string>)], [['a', 'value-a']], 'the missing name is left out')
  t.equal(store.getAtHand('secret', 'missing'), undefined, 'missing while fresh: known to be absent')

  await writer.put('secret', 'a', 'value-a2')
  await sleep(250)
  t.equal(store.getAtHand('secret', 'a'), NOT_AT_HAND, 'a stale snapshot is not at hand')
  const later = lookup(names)
  t.ok(later instanceof Promise, 'due a re-check: the lookup waits for the store')
  t.same([...(await later)], [['a', 'value-a2']], 'and sees the other writer\'s value')
  t.same([...(lookup(names) as ReadonlyMap<string, string>)], [['a', 'value-a2']], 'fresh again: at once')
})

t.test('no names: the shared empty answer, at once', async (t) => {
  const store = await FileStore.open(join(t.testdir(), 'data'), key)
  t.teardown(() => store.close())
  const answer = secretLookup(store)([])
  t.notOk(answer instanceof Promise)
  t.equal((answer as ReadonlyMap<string, string>).size, 0)
})
