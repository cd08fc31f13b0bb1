/**
 * There is no Docker engine on the CI machines: docker-compose.yml, the Dockerfile, the nginx
 * config and the README's Docker commands are checked against each other as text instead.
 */
import { REPO } from '../../helpers/repo.js'
import { existsSync, readFileSync, statSync } from 'node:fs'
import t from 'tap'
import { parse } from 'yaml'
import { load } from '../../helpers/config.js'

const repo = `${REPO}/`
const read = (file: string) => readFileSync(repo + file, 'utf8')

interface Service {
  image?: string
  build?: string
  profiles?: string[]
  command?: string[]
  environment?: Record<string, string>
  volumes?: string[]
  ports?: string[]
}
const composeText = read('docker-compose.yml')
const compose = parse(composeText, { merge: true }) as { services: Record<string, Service>, volumes: Record<string, unknown> }
const dockerfile = read('Dockerfile')
const readme = read('README.md')
const services = compose.services

/** `COPY <src> <dest>` of the runtime stage, as [repo source, image path]. */
function copiedIntoImage (): Array<[string, string]> {
  const runtime = dockerfile.slice(dockerfile.lastIndexOf('\nFROM '))
  return [...runtime.matchAll(/^COPY (?:--chmod=\S+ )?(?!--from)(\S+) (\S+)$/gm)].map((m) => [m[1]!, m[2]!.replace(/^\.\//, '/app/')])
}

/** Where a config path inside the image comes from in the repo. */
function repoFileFor (imagePath: string): string | undefined {
  const copies = copiedIntoImage()
  const exact = copies.find(([, dest]) => dest === imagePath)
  if (exact !== undefined) return exact[0]
  for (const [source, dest] of copies) {
    if (imagePath.startsWith(dest.replace(/\/?$/, '/'))) return `${source}/${imagePath.slice(dest.replace(/\/?$/, '/').length)}`
  }
  return undefined
}

t.test('the image runs on the current Node LTS; the code still supports 20.18.1', async (t) => {
  const froms = [...dockerfile.matchAll(/^FROM (\S+)/gm)].map((m) => m[1])
  t.same(froms, ['node:24-bookworm-slim', 'node:24-bookworm-slim'], 'both stages')
  const engines = (JSON.parse(read('package.json')) as { engines: { node: string } }).engines.node
  t.equal(engines, '>=20.18.1')
  t.match(dockerfile, /^ENTRYPOINT \["\/app\/docker-entrypoint.sh"\]$/m)
  t.match(dockerfile, /^CMD \["start"\]$/m)
  t.ok(statSync(repo + 'deploy/docker-entrypoint.sh').mode & 0o100, 'the entrypoint is executable')
  t.match(read('deploy/docker-entrypoint.sh'), /exec node \/app\/dist\/cli\.js "\$@"/, 'it runs the CLI with the given command')
})

t.test('no variable is required: down and logs work without the key', async (t) => {
  t.notMatch(composeText, /\$\{[A-Z_]+:\?/, 'no ${VAR:?} in docker-compose.yml')
  t.notMatch(composeText, /\$\{[A-Z_]+\}/, 'every variable has a default')
})

t.test('the master key is persisted on a volume, not regenerated per up', async (t) => {
  for (const name of ['latchkey', 'latchkey-1', 'latchkey-2']) {
    const service = services[name]!
    const file = service.environment?.LATCHKEY_MASTER_KEY_FILE
    t.ok(file, `${name}: LATCHKEY_MASTER_KEY_FILE`)
    const mount = service.volumes?.map((v) => v.split(':')).find(([, target]) => file!.startsWith(target + '/'))
    t.ok(mount, `${name}: ${file} is on a mounted volume`)
    t.ok(compose.volumes[mount![0]!] !== undefined, `${name}: ${mount![0]} is a named volume`)
  }
  const entry = read('deploy/docker-entrypoint.sh')
  t.match(entry, /\[ ! -e "\$LATCHKEY_MASTER_KEY_FILE" \]/, 'generated only when the file is missing')
  t.match(entry, /ln "\$tmp" "\$LATCHKEY_MASTER_KEY_FILE"/, 'published without overwriting')
})

t.test('each service config is copied into the image and loads', async (t) => {
  const env = { LATCHKEY_HOST: '0.0.0.0', LATCHKEY_PORT: '8080', REDIS_URL: 'redis://redis:6379/0', LATCHKEY_DATA: '/data' }
  for (const [name, service] of Object.entries(services)) {
    const config = service.environment?.LATCHKEY_CONFIG
    if (config === undefined) continue
    const source = repoFileFor(config)
    t.ok(source !== undefined && existsSync(repo + source), `${name}: ${config} comes from ${source}`)
    const loaded = load(read(source!), env)
    t.equal(loaded.cache.type, 'redis', `${name}: the cache is the compose Redis`)
    t.equal(loaded.cache.url, 'redis://redis:6379/0')
    if (name !== 'latchkey') t.equal(loaded.store.type, 'redis', `${name}: replicas share the Redis store`)
  }
})

t.test('the replicas profile: two gateways behind nginx, Redis with AOF', async (t) => {
  const replicas = Object.entries(services).filter(([, s]) => s.profiles?.includes('replicas')).map(([name]) => name).sort()
  t.same(replicas, ['latchkey-1', 'latchkey-2', 'nginx'])
  const nginx = services.nginx!
  const mounted = nginx.volumes!.map((v) => v.split(':')).find(([, target]) => target === '/etc/nginx/nginx.conf')
  t.ok(mounted, 'nginx.conf is mounted')
  const conf = read(mounted![0]!.replace(/^\.\//, '')).replace(/#.*$/gm, '')
  const upstreams = [...conf.matchAll(/^\s*server (\S+):(\d+)/gm)].map((m) => `${m[1]}:${m[2]}`)
  t.same(upstreams, ['latchkey-1:8080', 'latchkey-2:8080'], 'nginx balances over both replicas on their port')
  t.notMatch(conf, /ip_hash|sticky|hash \$/, 'no sticky sessions')
  t.same(services.redis!.command!.slice(0, 3), ['redis-server', '--appendonly', 'yes'], 'Redis keeps an append-only file')
  t.ok(services.redis!.volumes!.some((v) => v.endsWith(':/data')), 'on a volume')
})

t.test('the README commands name services and commands that exist', async (t) => {
  const commands = [...readme.matchAll(/docker compose(?: --profile (\S+))? (run --rm(?: -T)? (\S+) (.+)|up[^\n`]*|down[^\n`]*|logs[^\n`]*)/g)]
  t.ok(commands.length >= 5, `${commands.length} docker compose commands in the README`)
  for (const [, profile, , service, args] of commands) {
    if (profile !== undefined) t.ok(Object.values(services).some((s) => s.profiles?.includes(profile)), `profile ${profile} exists`)
    if (service === undefined) continue
    t.ok(services[service] !== undefined, `service ${service} exists`)
    t.match(args!, /^(keygen|secrets (set|list|delete) ?|connections |validate)/, `${service}: ${args} is a latchkey command`)
  }
  t.match(readme, /docker compose run --rm latchkey keygen/)
  t.match(readme, /docker compose run --rm -T latchkey secrets set \w+/)
})
