/**
 * `latchkey start`: run until SIGTERM/SIGINT. SIGHUP reloads the config (an invalid one is
 * refused and the running one kept). On SIGTERM the listener stops accepting, in-flight requests
 * get up to 30 s to finish, Redis is closed, and the process exits 0.
 */
import { createGateway } from './gateway.js'
import { ConfigError, formatProblem } from './config/problems.js'

const DRAIN_MS = 30_000

export async function runGateway (configFile: string): Promise<void> {
  const gateway = await createGateway({ configFile })
  const { server } = gateway.runtime().config
  const address = await gateway.app.listen({ host: server.host, port: server.port })
  gateway.logger.info({ address, config: configFile, connections: gateway.runtime().connections.size }, 'latchkey listening')

  process.on('SIGHUP', () => {
    gateway.reload().catch((err: unknown) => {
      const problems = err instanceof ConfigError ? err.problems.map(formatProblem) : [(err as Error).message]
      gateway.logger.error({ problems }, 'reload refused: keeping the running configuration')
    })
  })

  let stopping = false
  const stop = (signal: string) => {
    if (stopping) return
    stopping = true
    gateway.logger.info({ signal }, 'shutting down')
    const force = setTimeout(() => {
      gateway.logger.warn('in-flight requests did not finish in time')
      process.exit(0)
    }, DRAIN_MS)
    force.unref()
    gateway.close().then(() => process.exit(0), (err: unknown) => {
      gateway.logger.error({ err }, 'error while shutting down')
      process.exit(1)
    })
  }
  process.once('SIGTERM', () => stop('SIGTERM'))
  process.once('SIGINT', () => stop('SIGINT'))
}
