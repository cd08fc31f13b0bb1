/**
 * The `latchkey` CLI run in this process (src/commands/program.ts main), its stdout and stderr
 * captured: for commands that need no process of their own, without a spawn's start-up cost.
 */
import { main } from '../../src/commands/program.js'

export interface CliResult { code: number, stdout: string, stderr: string }

export async function cliInProcess (...args: string[]): Promise<CliResult> {
  let stdout = ''
  let stderr = ''
  const write = { out: process.stdout.write, err: process.stderr.write }
  process.stdout.write = ((chunk: string) => { stdout += chunk; return true }) as typeof process.stdout.write
  process.stderr.write = ((chunk: string) => { stderr += chunk; return true }) as typeof process.stderr.write
  const exitCode = process.exitCode
  try {
    const code = await main(['node', 'latchkey', ...args])
    return { code, stdout, stderr }
  } finally {
    process.stdout.write = write.out
    process.stderr.write = write.err
    process.exitCode = exitCode
  }
}
