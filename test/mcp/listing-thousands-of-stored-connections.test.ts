/**
 * tools/list for a user with 5,000 stored connections (next to 5,000 of another user's) stays
 * fast: the connector's tool templates are built once, and each record is filtered by its access
 * policy without being compiled. Measured on listCallerTools over records held in memory (the
 * store's own read cost is the store's); loosely asserted, as the machine is shared.
 */
import t from 'tap'
import { performance } from 'node:perf_hooks'
import type { StoredConnection } from '../../src/connections/record.js'
import { listCallerTools } from '../../src/mcp/caller-tools.js'
import { startMcpGateway } from './mcp-setup.js'

const PER_USER = 5000
const { lk } = await startMcpGateway(t, { users: true })
const runtime = lk.gateway.runtime()
const at = new Date().toISOString()
const records: StoredConnection[] = []
for (let i = 0; i < PER_USER; i++) {
  for (const owner of ['u1', 'u2']) {
    const id = `${owner}-c${i}`
    records.push({ v: 1, id, connector: 'crm', auth: 'token', owner, config: {}, credentials: { token: `tok-${id}` }, access: { users: 'owner' }, status: 'connected', created_at: at, updated_at: at })
  }
}
const byId = new Map(records.map((r) => [r.id, r]))
let compiled = 0
const deps = {
  runtime: () => runtime,
  connections: {
    allStored: async () => records,
    lookup: async (id: string) => {
      compiled++
      const record = byId.get(id)
      return record === undefined ? undefined : runtime.compileStored(record)
    },
  },
}
const user = { kind: 'user', id: 'u1', claims: { sub: 'u1' } } as const

const timings: number[] = []
let tools = await listCallerTools(user, deps)
for (let i = 0; i < 5; i++) {
  const started = performance.now()
  tools = await listCallerTools(user, deps)
  timings.push(performance.now() - started)
}
const best = Math.min(...timings)
t.comment(`listing ${PER_USER} of ${PER_USER * 2} stored connections (${tools.length} tools): ${best.toFixed(1)} ms`)
t.equal(tools.length, PER_USER * 5, 'five tools for each of the user\'s connections')
t.ok(tools.every((tool) => tool.name.startsWith('u1-')), "only the user's own")
t.equal(compiled, 6, 'one connection compiled per listing, for its connector\'s templates')
t.ok(best < 1000, 'well under a second even on a loaded machine')
