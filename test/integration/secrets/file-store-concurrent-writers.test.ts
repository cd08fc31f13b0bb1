/**
 * Two other processes (think: the CLI while the gateway runs) and this one write distinct
 * records into one file store at the same time; none is lost.
 */
import { once } from 'node:events'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import t from 'tap'
import { FileStore } from '../../../src/secrets/file-store.js'
import { generateMasterKey, parseMasterKey } from '../../../src/secrets/master-key.js'
import { spawnFixture } from '../../fixtures/secrets/spawn-ts.js'

const PER_WRITER = 30

t.test('concurrent writers from several processes do not lose records', async t => {
  const dir = t.testdir()
  const keyText = generateMasterKey()
  const key = parseMasterKey(keyText)
  // The gateway re-checks the file at most every reloadIntervalMs; 0 makes "after its reload"
  // mean the next read rather than a race against the default 500 ms.
  const gateway = await FileStore.open(dir, key, { reloadIntervalMs: 0 })

  const writers = ['cli_a_', 'cli_b_'].map(prefix => {
    const child = spawnFixture('store-writer.ts', ['names', dir, prefix, String(PER_WRITER)], { env: { LATCHKEY_MASTER_KEY: keyText } })
    let out = ''
    let err = ''
    child.stdout?.setEncoding('utf8').on('data', (d: string) => { out += d })
    child.stderr?.setEncoding('utf8').on('data', (d: string) => { err += d })
    const ready = new Promise<void>(resolve => child.stdout?.on('data', () => { if (out.includes('ready')) resolve() }))
    return { ready, exit: once(child, 'exit'), output: () => out + err }
  })
  await Promise.all(writers.map(w => w.ready))

  // Start line: all three write at once from here.
  await writeFile(join(dir, 'go'), '')
  await Promise.all(Array.from({ length: PER_WRITER }, (_, i) => gateway.put('secret', `gw_${i}`, `value-of-gw_${i}`)))

  for (const writer of writers) {
    const [code] = await writer.exit as [number | null]
    t.equal(code, 0, `writer finished: ${writer.output().trim()}`)
  }

  const check = await FileStore.open(dir, key)
  const names = await check.list('secret')
  t.equal(names.length, 3 * PER_WRITER)
  for (const name of names) t.equal(await check.get('secret', name), `value-of-${name}`)
  t.same(await gateway.list('secret'), names, 'the gateway process sees them all after its reload')
})
