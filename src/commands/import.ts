/** `import openapi FILE [--slug NAME] [--out FILE]` (SPEC 12). */
import { randomBytes } from 'node:crypto'
import { rename, rm, writeFile } from 'node:fs/promises'
import path from 'node:path'
import type { Command } from 'commander'
import { CliError } from './cli-error.js'

export interface ImportCommandDeps {
  /** stdout, the document itself when there is no --out */
  write: (text: string) => void
  warn: (line: string) => void
}

export function registerImportCommands (program: Command, deps: ImportCommandDeps): void {
  program.command('import')
    .description('build connector config from an API description')
    .command('openapi')
    .description('write a connector YAML built from an OpenAPI 3.x or Swagger 2.0 document')
    .argument('<file>', 'the document (JSON or YAML)')
    .option('--slug <name>', 'connector slug (default: from info.title)')
    .option('--out <file>', 'write here (default: stdout)')
    .action(async (file: string, opts: { slug?: string, out?: string }) => {
      // The parser and its schemas load only for this command.
      const { importOpenApi, isOpenApiImportError } = await import('../import/index.js')
      let result
      try {
        result = await importOpenApi(file, opts.slug === undefined ? {} : { slug: opts.slug })
      } catch (err) {
        if (isOpenApiImportError(err)) throw new CliError(err.message)
        throw err
      }
      for (const warning of result.warnings) deps.warn(`warning: ${warning}`)
      if (opts.out === undefined) deps.write(result.yaml)
      else await writeAtomically(opts.out, result.yaml)
    })
}

/** Temp file beside the target, then rename: a reader sees the old file or the whole new one. */
async function writeAtomically (file: string, text: string): Promise<void> {
  const temp = path.join(path.dirname(file), `.${path.basename(file)}.${randomBytes(6).toString('hex')}.tmp`)
  try {
    await writeFile(temp, text, { flag: 'wx' })
    await rename(temp, file)
  } catch (err) {
    await rm(temp, { force: true })
    throw new CliError(`cannot write ${file}: ${(err as Error).message}`)
  }
}
