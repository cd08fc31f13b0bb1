/**
 * Starts a real latchkey on port 0 from a YAML text, with a file store in a fresh folder, the
 * given secrets sealed into it, and every log line captured for the secret scan.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { Writable } from 'node:stream'
import type { AddressInfo } from 'node:net'
import { createGateway, type Gateway } from '../../src/gateway.js'
import { generateMasterKey, parseMasterKey } from '../../src/secrets/master-key.js'
import { openSealedStore } from '../../src/secrets/open-store.js'
import type { TeardownHost } from './redis.js'

export interface TestGateway {
  url: string
  gateway: Gateway
  /** every log line written so far, raw JSON text */
  logs: string[]
  dir: string
  configFile: string
  env: NodeJS.ProcessEnv
  /** fetch against the gateway; `path` starts with `/` */
  fetch (path: string, init?: RequestInit): Promise<Response>
  /** Closes the gateway (server, upstream pools, store, cache) once; teardown reuses it. */
  close (): Promise<void>
}

export interface TestGatewayOptions {
  /** Listen here instead of on a port of the OS's choice (when public_url must name it). */
  port?: number
  secrets?: Record<string, string>
  env?: NodeJS.ProcessEnv
  clock?: () => number
}

export async function startGateway (t: TeardownHost, yaml: string, options: TestGatewayOptions = {}): Promise<TestGateway> {
  const dir = await mkdtemp(path.join(tmpdir(), 'latchkey-test-'))
  t.teardown(() => rm(dir, { recursive: true, force: true }))
  // A key given in env (gateways sharing one store) seals the secrets too.
  const masterKey = options.env?.LATCHKEY_MASTER_KEY ?? generateMasterKey()
  const env: NodeJS.ProcessEnv = { LATCHKEY_MASTER_KEY: masterKey, LATCHKEY_TEST_DATA: path.join(dir, 'data'), ...options.env }
  const configFile = path.join(dir, 'latchkey.yaml')
  const text = /^store:/m.test(yaml) ? yaml : `${yaml}\nstore:\n  type: file\n  path: \${LATCHKEY_TEST_DATA}\n`
  await writeFile(configFile, text)

  if (options.secrets !== undefined) {
    const store = await openSealedStore({ type: 'file', path: path.join(dir, 'data') }, parseMasterKey(masterKey))
    for (const [name, value] of Object.entries(options.secrets)) await store.put('secret', name, value)
    await store.close()
  }

  const logs: string[] = []
  const destination = new Writable({
    write (chunk: Buffer, _enc, done) {
      logs.push(...chunk.toString('utf8').split('\n').filter((l) => l !== ''))
      done()
    },
  })
  const gateway = await createGateway({ configFile, env, cwd: dir, logDestination: destination, ...(options.clock === undefined ? {} : { clock: options.clock }) })
  await gateway.app.listen({ host: '127.0.0.1', port: options.port ?? 0 })
  let closed: Promise<void> | undefined
  const close = (): Promise<void> => (closed ??= gateway.close())
  t.teardown(close)
  const url = `http://127.0.0.1:${(gateway.app.server.address() as AddressInfo).port}`
  return { url, gateway, logs, dir, configFile, env, fetch: (p, init) => fetch(url + p, init), close }
}

/** Every string that must never appear in a log line or response seen by a test. */
export function assertNoSecrets (t: { notOk: (v: unknown, ...rest: [string]) => unknown }, haystacks: Iterable<string>, secrets: Iterable<string>): void {
  const texts = [...haystacks]
  for (const secret of secrets) {
    const leaked = texts.find((text) => text.includes(secret))
    t.notOk(leaked, `secret value must not appear: ${secret.slice(0, 3)}…`)
  }
}
