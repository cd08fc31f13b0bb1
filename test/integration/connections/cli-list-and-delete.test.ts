/**
 * CLI (SPEC 2): `latchkey connections list` shows YAML and stored connections, never a
 * credential; `latchkey connections delete ID` removes a stored one and refuses a YAML one.
 */
import t from 'tap'
import { cliInProcess } from '../../helpers/cli-in-process.js'
import { startGateway } from '../../helpers/gateway.js'
import { ADMIN, KEYS, storedConnectionsConfig, weatherBody } from '../../helpers/stored-connections.js'

const SECRET = 'cli-stored-key-0f0f'

t.test('connections list and delete', async (t) => {
  const gw = await startGateway(t, storedConnectionsConfig({ upstreamUrl: 'http://127.0.0.1:9' }), { secrets: KEYS })
  t.equal((await gw.fetch('/admin/connections/from-api', { method: 'PUT', headers: ADMIN, body: weatherBody(SECRET) })).status, 201)
  // In this process (a spawn per command was 3-4 s each): the gateway's key and store folder.
  const cli = async (...args: string[]) => {
    const saved = { ...process.env }
    Object.assign(process.env, gw.env)
    try {
      const r = await cliInProcess(...args, '-c', gw.configFile)
      return { code: r.code, out: r.stdout, err: r.stderr }
    } finally {
      for (const name of Object.keys(gw.env)) if (saved[name] === undefined) delete process.env[name]
      Object.assign(process.env, saved)
    }
  }

  const list = await cli('connections', 'list')
  t.equal(list.code, 0)
  t.match(list.out, /^from-api\tweather\tkey\tstore\tconnected\towner=-$/m)
  t.match(list.out, /^yaml-one\tweather\tkey\tconfig\tconfigured\towner=-$/m)
  t.notOk(list.out.includes(SECRET), 'no credential listed')

  const yaml = await cli('connections', 'delete', 'yaml-one')
  t.equal(yaml.code, 1, 'a YAML connection is refused')
  t.match(yaml.err, /defined in the YAML config/)
  t.equal((await cli('connections', 'delete', 'from-api')).code, 0)
  t.equal((await cli('connections', 'delete', 'from-api')).code, 1, 'gone')
  t.notMatch((await cli('connections', 'list')).out, /from-api/)
})
