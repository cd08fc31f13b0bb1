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
  const metrics = await gateway.listenMetrics()
  // The pid is the one to signal (`kill -HUP <pid>` reloads): under `npm start` it is not npm's.
  gateway.logger.info({ address, pid: process.pid, config: configFile, connections: gateway.runtime().connections.size, ...(metrics === null ? {} : { metrics }) },
    'latchkey listening')

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
  // `on`, not `once`: Ctrl-C under `npm start` delivers SIGINT twice (the terminal's, then npm's
  // forwarded copy), and a second signal without a listener would kill the drain.
  process.on('SIGTERM', () => stop('SIGTERM'))
  process.on('SIGINT', () => stop('SIGINT'))
  stopWhenNpmGoesAway(stop, gateway.logger)
}

/**
 * `npm start` forwards SIGTERM and SIGINT to the gateway (the start script `exec`s node, so there
 * is no shell in between), but not SIGHUP: npm dies of it and would leave the gateway running
 * with no parent, holding its port. Started by npm, the gateway therefore stops (draining, like
 * SIGTERM) when its parent goes away; `kill -HUP` of the gateway's own pid reloads.
 */
function stopWhenNpmGoesAway (stop: (signal: string) => void, logger: { warn: (obj: object, msg: string) => void }): void {
  if (process.env.npm_lifecycle_event !== 'start') return
  const parent = process.ppid
  const watch = setInterval(() => {
    if (process.ppid === parent) return
    clearInterval(watch)
    logger.warn({ parent }, `the npm process that started latchkey exited (npm does not pass SIGHUP on): stopping; reload with kill -HUP ${process.pid}`)
    stop('parent exited')
  }, 500)
  watch.unref()
}
