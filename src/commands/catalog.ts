/** `connectors list [--json]`, `connections list`, `connections test ID`. */
import type { Command } from 'commander'
import type { LoadedConfig } from '../config/model.js'
import type { Gateway } from '../gateway.js'
import { connectorSummary } from '../catalog/summary.js'
import { CliError } from './cli-error.js'

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
      for (const c of list) deps.out(`${c.slug}\t${c.source}\t${c.name}\t${c.auth_methods.map((m) => `${m.name}:${m.type}`).join(',')}`)
    })

  const connections = program.command('connections').description('configured connections')
  connections.command('list')
    .description('list connections (never credentials)')
    .action(async () => {
      const config = await deps.load()
      for (const c of config.connections.values()) deps.out(`${c.id}\t${c.connector}\t${c.auth}\t${c.source}\towner=${c.owner ?? '-'}`)
    })
  connections.command('test')
    .description("run the connection's test request")
    .argument('<id>', 'connection id')
    .action(async (id: string) => {
      const { runConnectionTest } = await import('../proxy/connection-test.js')
      const gateway = await deps.gateway()
      try {
        const result = await runConnectionTest(gateway, id)
        deps.out(JSON.stringify(result, null, 2))
        if (!result.ok) throw new CliError(`connection ${id}: test failed (status ${result.status ?? 'none'})`)
      } finally {
        await gateway.close()
      }
    })
}
