/** `connectors list [--json]`, `connections list`, `connections test ID`, `connections delete ID`. */
import type { Command } from 'commander'
import type { LoadedConfig } from '../config/model.js'
import type { Gateway } from '../gateway.js'
import { connectorSummary } from '../catalog/summary.js'
import { connectionSummary, storedSummary } from '../admin/connection-summary.js'
import { CliError } from './cli-error.js'
import { registerConnectorsNew } from './connectors-new.js'

export interface CatalogCommandDeps {
  load: () => Promise<LoadedConfig>
  gateway: () => Promise<Gateway>
  out: (line: string) => void
}

export function registerCatalogCommands (program: Command, deps: CatalogCommandDeps): void {
  const connectors = program.command('connectors').description('connector catalog')
  connectors.command('list')
    .description('built-in catalog plus configured connectors')
    .option('--json', 'print JSON')
    .action(async (opts: { json?: boolean }) => {
      const config = await deps.load()
      const list = [...config.connectors.values()].map(connectorSummary).sort((a, b) => a.slug.localeCompare(b.slug))
      if (opts.json === true) {
        deps.out(JSON.stringify({ connectors: list }, null, 2))
        return
      }
      // Inputs a connection supplies (config: or credentials:), `*` marking the required ones.
      const inputs = (c: (typeof list)[number]) => c.inputs.length === 0 ? '-' : c.inputs.map((i) => `${i.name}${i.required === true ? '*' : ''}`).join(',')
      for (const c of list) deps.out(`${c.slug}\t${c.source}\t${c.name}\t${c.auth_methods.map((m) => `${m.name}:${m.type}`).join(',')}\tinputs=${inputs(c)}`)
    })

  registerConnectorsNew(connectors, { out: deps.out })

  const connections = program.command('connections').description('YAML and stored connections')
  connections.command('list')
    .description('list connections, YAML and stored (never credentials)')
    .action(() => withGateway(deps, async (gateway) => {
      const yaml = [...gateway.runtime().config.connections.values()].map(connectionSummary)
      const stored = (await gateway.connections.allStored()).map(storedSummary)
      for (const c of [...yaml, ...stored].sort((a, b) => a.id.localeCompare(b.id))) {
        deps.out(`${c.id}\t${c.connector}\t${c.auth}\t${c.source}\t${c.status}\towner=${c.owner ?? '-'}`)
      }
    }))
  connections.command('delete')
    .description('delete a stored connection (a YAML one is refused: edit the YAML)')
    .argument('<id>', 'connection id')
    .action((id: string) => withGateway(deps, async (gateway) => {
      if (gateway.runtime().config.connections.has(id)) throw new CliError(`connection ${id} is defined in the YAML config: remove it there`)
      if (!(await gateway.connections.delete(id))) throw new CliError(`no stored connection ${id}`)
      deps.out(`deleted ${id}`)
    }))
  connections.command('test')
    .description("run the connection's test request")
    .argument('<id>', 'connection id')
    .action((id: string) => withGateway(deps, async (gateway) => {
      const result = await gateway.testConnection(id)
      deps.out(JSON.stringify(result, null, 2))
      if (!result.ok) throw new CliError(`connection ${id}: test failed (status ${result.status ?? 'none'})`)
    }))
}

/** A gateway for one command (store, cache, runtime; no listener), closed whatever happens. */
async function withGateway (deps: CatalogCommandDeps, run: (gateway: Gateway) => Promise<void>): Promise<void> {
  const gateway = await deps.gateway()
  try {
    await run(gateway)
  } finally {
    await gateway.close()
  }
}
