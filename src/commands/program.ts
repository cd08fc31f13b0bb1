/**
 * The `latchkey` command (SPEC 2). Each command loads what it needs and nothing more; failures
 * print one line per problem on stderr and exit 1.
 */
import { Command, CommanderError } from 'commander'
import { isCliError } from './cli-error.js'
import { readStdinText, registerSecretCommands, storeOpeners } from './secrets.js'
import { registerCatalogCommands } from './catalog.js'
import { registerImportCommands } from './import.js'
import { formatProblem, ConfigError } from '../config/problems.js'
import { loadGatewayConfig } from '../config/load-with-templates.js'
import { isStoreError } from '../secrets/errors.js'
import { packageVersion } from './version.js'
import { readSecretValue } from './hidden-input.js'
import { formatConfigWarnings } from './validate-warnings.js'

const DEFAULT_CONFIG = 'config/latchkey.yaml'

function configFile (option: string | undefined): string {
  return option ?? process.env.LATCHKEY_CONFIG ?? DEFAULT_CONFIG
}

const out = (line: string): void => { process.stdout.write(`${line}\n`) }

export function buildCli (): Command {
  const program = new Command('latchkey')
    .description('authenticating reverse-proxy gateway')
    .option('-c, --config <file>', `config file (default: $LATCHKEY_CONFIG or ${DEFAULT_CONFIG})`)
    .version(packageVersion(), '-V, --version', 'print the version')
    .exitOverride()
    .showHelpAfterError()

  program.command('start')
    .description('run the gateway')
    .option('-c, --config <file>', 'config file')
    .action(async (opts: { config?: string }) => {
      // The HTTP stack loads only for the commands that serve or send requests.
      const { runGateway } = await import('../main.js')
      await runGateway(configFile(opts.config ?? program.opts<{ config?: string }>().config))
    })

  program.command('validate')
    .description('check the config; print ok, or one FILE:LINE:COL: message per problem')
    .option('-c, --config <file>', 'config file')
    .action(async (opts: { config?: string }) => {
      let loaded
      try {
        loaded = await loadGatewayConfig(configFile(opts.config ?? program.opts<{ config?: string }>().config), process.env, process.cwd())
      } catch (err) {
        if (!(err instanceof ConfigError)) throw err
        // The problems are what `validate` was asked for: its output, on stdout like `ok`.
        for (const problem of err.problems) out(formatProblem(problem))
        process.exitCode = 1
        return
      }
      // Warnings do not make the config invalid: stderr, and still `ok`.
      for (const warning of await formatConfigWarnings(loaded.config, process.env)) process.stderr.write(`${warning}\n`)
      out('ok')
    })

  const storeDeps = async () => {
    const { config } = await loadGatewayConfig(configFile(program.opts<{ config?: string }>().config), process.env, process.cwd())
    // The development-key warning is `start`'s to give, once; a CLI command repeats it only
    // when it is the one that generated the key.
    const warn = (message: string) => { if (!message.startsWith('using the DEVELOPMENT master key')) process.stderr.write(`warning: ${message}\n`) }
    return storeOpeners({ env: process.env, store: config.store, warn })
  }
  registerSecretCommands(program, {
    openStore: async () => (await storeDeps()).openStore(),
    openStoreForRotation: async () => (await storeDeps()).openStoreForRotation(),
    readStdin: (name) => readSecretValue(name, process.stdin, process.stderr, readStdinText),
    out,
  })

  registerCatalogCommands(program, {
    load: async () => (await loadGatewayConfig(configFile(program.opts<{ config?: string }>().config), process.env, process.cwd())).config,
    gateway: async () => (await import('../gateway.js')).createGateway({ configFile: configFile(program.opts<{ config?: string }>().config), env: { ...process.env }, logDestination: { write: () => {} } }),
    out,
  })
  registerImportCommands(program, { write: (text) => { process.stdout.write(text) }, warn: (line) => { process.stderr.write(`${line}\n`) } })
  return program
}

export async function main (argv: string[]): Promise<number> {
  try {
    await buildCli().parseAsync(argv)
    return process.exitCode === undefined ? 0 : Number(process.exitCode)
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode
    if (err instanceof ConfigError) {
      for (const problem of err.problems) process.stderr.write(`${formatProblem(problem)}\n`)
      return 1
    }
    if (isCliError(err) || isStoreError(err)) {
      process.stderr.write(`latchkey: ${(err as Error).message}\n`)
      return isCliError(err) ? err.exitCode : 1
    }
    process.stderr.write(`latchkey: ${(err as Error).message?.split('\n', 1)[0] ?? String(err)}\n`)
    return 1
  }
}
