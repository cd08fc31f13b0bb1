/**
 * The real-URL harness for the built-in catalog's oauth2 entries: the catalog's provider URLs
 * are used unchanged, and their host names are routed to local fakes on loopback.
 *
 * - A test CA and a server certificate whose SANs are the fakes' host names are made per test
 *   file (@peculiar/x509 on node:crypto's WebCrypto, ECDSA P-256).
 * - One HTTPS server listens on port 443 of a loopback address of its own (127.0.0.2-254, at
 *   random per file) and hands each request to the fake serving its Host.
 * - latchkey runs as a child process, `node --import test/helpers/provider-dns.mjs <cli> start`,
 *   trusting the CA through NODE_EXTRA_CA_CERTS; the preload resolves the fakes' names to that
 *   address and refuses every other name (ENOTFOUND), so nothing leaves loopback.
 * - The test's own requests to the providers (the browser following the authorize redirect) go
 *   through an undici Agent with the same rule as its `lookup` and the CA as its only trust.
 * - server.allow_private_upstreams is true (the fakes are on loopback): the private-address
 *   check of SPEC 6.4 is bypassed here and tested elsewhere.
 */
import { webcrypto } from 'node:crypto'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { createServer, type Server } from 'node:https'
import type { LookupFunction } from 'node:net'
import { tmpdir } from 'node:os'
import path from 'node:path'
import * as x509 from '@peculiar/x509'
import { Agent, fetch as undiciFetch } from 'undici'
import { parseStored, type StoredConnection } from '../../src/connections/record.js'
import { generateMasterKey, parseMasterKey } from '../../src/secrets/master-key.js'
import { openSealedStore } from '../../src/secrets/open-store.js'
import { startGatewayProcess } from './gateway-process.js'
import { repoPath } from './repo.js'
import type { FakeRequest, ProviderFake } from './provider-fakes.js'
import type { TeardownHost } from './redis.js'

export const APP_KEY = 'app-key-catalog-oauth-7d3e'
export const PUBLIC_URL = 'https://latchkey.example.test'
export const CALLBACK_URL = `${PUBLIC_URL}/connect/oauth/callback`
export const PRELOAD = repoPath('test/helpers/provider-dns.mjs')

/** The client id and secret a catalog entry reads (`<slug>_client_id` / `_client_secret`). */
export function clientCredentials (slug: string): { id: string, secret: string } {
  const base = slug.replace(/-/g, '_')
  return { id: `${base}-client-id-4711`, secret: `${base}-client-secret-8a9b0c` }
}

// ---------------------------------------------------------------------------------------------
// Certificates

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0])
const EC = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const

export interface TestPki { caPem: string, certPem: string, keyPem: string }

function pem (label: string, der: ArrayBuffer): string {
  const b64 = Buffer.from(der).toString('base64').replace(/(.{64})/g, '$1\n').replace(/\n$/, '')
  return `-----BEGIN ${label}-----\n${b64}\n-----END ${label}-----\n`
}

/** A CA made now, and a server certificate it signed for exactly `hosts`. */
export async function makePki (hosts: readonly string[]): Promise<TestPki> {
  const notBefore = new Date(Date.now() - 60_000)
  const notAfter = new Date(Date.now() + 24 * 3600_000)
  const caKeys = await webcrypto.subtle.generateKey(EC, true, ['sign', 'verify']) as webcrypto.CryptoKeyPair
  const ca = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: '01',
    name: 'CN=latchkey catalog-oauth test CA',
    notBefore,
    notAfter,
    keys: caKeys,
    signingAlgorithm: EC,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(caKeys.publicKey),
    ],
  })
  const keys = await webcrypto.subtle.generateKey(EC, true, ['sign', 'verify']) as webcrypto.CryptoKeyPair
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: '02',
    subject: `CN=${hosts[0]}`,
    issuer: ca.subject,
    notBefore,
    notAfter,
    publicKey: keys.publicKey,
    signingKey: caKeys.privateKey,
    signingAlgorithm: EC,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
      new x509.SubjectAlternativeNameExtension(hosts.map((value) => ({ type: 'dns' as const, value }))),
      await x509.AuthorityKeyIdentifierExtension.create(caKeys.publicKey),
    ],
  })
  return {
    caPem: ca.toString('pem'),
    certPem: cert.toString('pem'),
    keyPem: pem('PRIVATE KEY', await webcrypto.subtle.exportKey('pkcs8', keys.privateKey)),
  }
}

// ---------------------------------------------------------------------------------------------
// The HTTPS server on <loopback>:443

async function listenOnLoopback443 (server: Server): Promise<string> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const address = `127.0.0.${2 + Math.floor(Math.random() * 253)}`
    try {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject)
        server.listen(443, address, () => {
          server.off('error', reject)
          resolve()
        })
      })
      return address
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw err
    }
  }
  throw new Error('no free 127.0.0.x:443 after 20 tries')
}

async function fakeServer (t: TeardownHost, pki: TestPki, fakes: readonly ProviderFake[]): Promise<string> {
  const byHost = new Map<string, ProviderFake>()
  for (const fake of fakes) for (const host of fake.hosts) byHost.set(host, fake)
  const server = createServer({ key: pki.keyPem, cert: pki.certPem }, async (req, res) => {
    const chunks: Buffer[] = []
    for await (const chunk of req) chunks.push(chunk as Buffer)
    const host = (req.headers.host ?? '').replace(/:443$/, '').toLowerCase()
    const recorded: FakeRequest = {
      method: req.method ?? '',
      host,
      url: new URL(req.url ?? '/', `https://${host}`),
      headers: Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(', ') : v ?? ''])),
      body: Buffer.concat(chunks).toString('utf8'),
    }
    const fake = byHost.get(host)
    const answer = fake === undefined ? { status: 421, body: { error: `no fake serves ${host}` } } : fake.handle(recorded)
    const text = typeof answer.body === 'string' ? answer.body : answer.body === undefined ? '' : JSON.stringify(answer.body)
    res.writeHead(answer.status ?? 200, { 'content-type': answer.contentType ?? 'application/json', ...answer.headers }).end(text)
  })
  const address = await listenOnLoopback443(server)
  t.teardown(() => new Promise<void>((resolve) => {
    server.closeAllConnections()
    server.close(() => resolve())
  }))
  return address
}

/** The resolution rule of provider-dns.mjs, for the test's own Agent. */
function loopbackLookup (hosts: ReadonlySet<string>, address: string): LookupFunction {
  return (hostname, options, callback) => {
    const name = hostname.toLowerCase().replace(/\.$/, '')
    process.nextTick(() => {
      if (!hosts.has(name)) {
        const err: NodeJS.ErrnoException = new Error(`getaddrinfo ENOTFOUND ${hostname}`)
        err.code = 'ENOTFOUND'
        return callback(err, '', 4)
      }
      if (options.all === true) return (callback as unknown as (e: null, a: Array<{ address: string, family: number }>) => void)(null, [{ address, family: 4 }])
      callback(null, address, 4)
    })
  }
}

// ---------------------------------------------------------------------------------------------
// The gateway process

export interface ProviderHarness {
  /** The fakes' loopback address (port 443). */
  address: string
  gatewayUrl: string
  /** fetch against the gateway */
  fetch (route: string, init?: RequestInit): Promise<Response>
  /** The browser's fetch to a provider URL (real host names, via the fakes). */
  browserFetch (url: string | URL): Promise<{ status: number, location: string | null, body: string }>
  /** stdout JSON lines of the gateway */
  logs: string[]
  stderr (): string
  /** The stored record of a connection, opened with the gateway's master key. */
  stored (id: string): Promise<StoredConnection | undefined>
}

export interface HarnessOptions {
  fakes: readonly ProviderFake[]
  /** Catalog slugs whose client id and secret are sealed as secrets. */
  slugs: readonly string[]
  /** YAML appended to the config (e.g. a `connectors:` section). */
  extraYaml?: string
}

export async function startProviderHarness (t: TeardownHost, options: HarnessOptions): Promise<ProviderHarness> {
  const hosts = [...new Set(options.fakes.flatMap((f) => f.hosts))]
  const pki = await makePki(hosts)
  const address = await fakeServer(t, pki, options.fakes)

  const dir = await mkdtemp(path.join(tmpdir(), 'latchkey-catalog-oauth-'))
  t.teardown(() => rm(dir, { recursive: true, force: true }))
  const caFile = path.join(dir, 'test-ca.pem')
  await writeFile(caFile, pki.caPem)
  const dataDir = path.join(dir, 'data')
  const configFile = path.join(dir, 'latchkey.yaml')
  await writeFile(configFile, `
server:
  host: 127.0.0.1
  port: 0
  log_level: info
  # The fakes live on loopback: this bypasses SPEC 6.4's private-address check (tested elsewhere).
  allow_private_upstreams: true
  public_url: ${PUBLIC_URL}
  connect: { return_to_origins: ["https://app.example.test"] }
store: { type: file, path: ${JSON.stringify(dataDir)} }
callers:
  api_keys:
    app: { key: "{{ get_secret('app_key') }}" }
${options.extraYaml ?? ''}
`)
  const masterKey = generateMasterKey()
  const store = await openSealedStore({ type: 'file', path: dataDir }, parseMasterKey(masterKey))
  await store.put('secret', 'app_key', APP_KEY)
  for (const slug of options.slugs) {
    const { id, secret } = clientCredentials(slug)
    await store.put('secret', `${slug.replace(/-/g, '_')}_client_id`, id)
    await store.put('secret', `${slug.replace(/-/g, '_')}_client_secret`, secret)
  }
  await store.close()

  const env: NodeJS.ProcessEnv = {
    LATCHKEY_MASTER_KEY: masterKey,
    NODE_EXTRA_CA_CERTS: caFile,
    LATCHKEY_TEST_PROVIDER_ADDRESS: address,
    LATCHKEY_TEST_PROVIDER_HOSTS: hosts.join(','),
  }
  // Proxies must not be asked for anything.
  const gateway = await startGatewayProcess(t, configFile, env, dir, {
    nodeArgs: ['--import', PRELOAD],
    unset: ['HTTP_PROXY', 'HTTPS_PROXY', 'http_proxy', 'https_proxy', 'NO_PROXY', 'no_proxy'],
  })
  const { url: gatewayUrl, logs } = gateway
  const stderr = gateway.stderr()
  if (!stderr.includes(`provider-dns: active, ${hosts.length} names -> ${address}`)) {
    throw new Error(`the DNS preload is not active in the gateway; stderr: ${stderr}`)
  }

  const agent = new Agent({ connect: { ca: pki.caPem, lookup: loopbackLookup(new Set(hosts), address) } })
  t.teardown(() => agent.close())
  return {
    address,
    gatewayUrl,
    fetch: (route, init) => fetch(gatewayUrl + route, init),
    async browserFetch (url) {
      const res = await undiciFetch(url, { redirect: 'manual', dispatcher: agent })
      return { status: res.status, location: res.headers.get('location'), body: await res.text() }
    },
    logs,
    stderr: gateway.stderr,
    async stored (id) {
      const reader = await openSealedStore({ type: 'file', path: dataDir }, parseMasterKey(masterKey))
      try {
        const text = await reader.get('connection', id)
        return text === undefined ? undefined : parseStored(text)
      } finally {
        await reader.close()
      }
    },
  }
}

// ---------------------------------------------------------------------------------------------
// The connect flow, as a browser goes through it

export interface ConnectStep {
  /** POST /connect/:token's answer: a 302 to the provider. */
  submit: Response
  /** Where latchkey sent the browser (the catalog's authorize URL plus our parameters). */
  authorize: URL
  /** The browser-binding cookie, `name=value`. */
  cookie: string
  /** Where the provider sent the browser back (latchkey's callback URL with code and state). */
  callback: URL
  /** latchkey's answer to the callback. */
  result: Response
  resultText: string
}

export interface ConnectOptions {
  connector: string
  connection: string
  /** The oauth2 method, pinned on the session and sent with the form. */
  auth: string
  /** Inputs typed in the form step (shop, login_host, ...). */
  values?: Record<string, string>
}

/**
 * A connect session for a catalog connector, the form step (inputs typed, Connect), latchkey's
 * 302 to the provider's authorize URL, the provider's 302 back to the callback, and the callback
 * with the browser-binding cookie. Throws, naming the step, when one goes elsewhere.
 */
export async function connectThroughProvider (h: ProviderHarness, options: ConnectOptions): Promise<ConnectStep> {
  const created = await h.fetch('/connect/sessions', {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-latchkey-key': APP_KEY },
    body: JSON.stringify({ connector: options.connector, connection: options.connection, auth: options.auth }),
  })
  const session = await created.json() as { token?: string }
  if (created.status !== 201 || session.token === undefined) throw new Error(`session: ${created.status} ${JSON.stringify(session)}`)

  const form = new URLSearchParams({ auth: options.auth })
  for (const [name, value] of Object.entries(options.values ?? {})) form.set(`v:${name}`, value)
  const submit = await h.fetch(`/connect/${session.token}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: form.toString(),
    redirect: 'manual',
  })
  const location = submit.headers.get('location')
  if (submit.status !== 302 || location === null) throw new Error(`form step: ${submit.status} ${await submit.text()}\n${h.stderr()}`)
  const cookie = (submit.headers.get('set-cookie') ?? '').split(';')[0]!
  const authorize = new URL(location)

  const back = await h.browserFetch(authorize)
  if (back.status !== 302 || back.location === null) throw new Error(`authorize: ${back.status} ${back.body}`)
  const callback = new URL(back.location)
  if (`${callback.origin}${callback.pathname}` !== CALLBACK_URL) throw new Error(`the provider sent the browser to ${back.location}`)
  const result = await h.fetch(`${callback.pathname}${callback.search}`, { redirect: 'manual', headers: { cookie } })
  return { submit, authorize, cookie, callback, result, resultText: await result.text() }
}

/** A proxied call as the `app` caller that created the session. */
export async function proxied (h: ProviderHarness, connection: string, route: string, init: RequestInit = {}): Promise<Response> {
  return h.fetch(`/proxy/${connection}${route}`, { ...init, headers: { 'x-latchkey-key': APP_KEY, ...init.headers as Record<string, string> } })
}
