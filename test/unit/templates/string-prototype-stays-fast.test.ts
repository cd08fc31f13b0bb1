/**
 * Once latchkey's modules are loaded, String.prototype still has V8's fast properties, though
 * nunjucks (and a package under ioredis) turn it into a dictionary when they load: otherwise
 * every string method read in optimised code is a generic LoadIC call
 * (src/templates/string-prototype.ts). Only a process run with --allow-natives-syntax can ask
 * V8, so the check runs in a child node.
 */
import { execFile } from 'node:child_process'
import { dirname, join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { promisify } from 'node:util'
import t from 'tap'
import { latchkeyCli } from '../../helpers/gateway-process.js'

const run = promisify(execFile)

async function fastAfterImporting (modules: string[]): Promise<boolean> {
  const imports = modules.map((m) => `await import(${JSON.stringify(m)})`).join('\n')
  const script = `${imports}\nprocess.stdout.write(String(%HasFastProperties(String.prototype)))`
  const { stdout } = await run(process.execPath, ['--allow-natives-syntax', '--input-type=module', '-e', script], { cwd: join(dirname(latchkeyCli()), '..') })
  return stdout === 'true'
}

const gateway = pathToFileURL(join(dirname(latchkeyCli()), 'gateway.js')).href

t.test('String.prototype keeps fast properties once the gateway and ioredis are loaded', async (t) => {
  t.equal(await fastAfterImporting([gateway, 'ioredis']), true)
  t.equal(await fastAfterImporting(['ioredis', gateway]), true, 'whichever loads first')
})

t.test('what it guards against: nunjucks alone leaves String.prototype a dictionary', async (t) => {
  // Information, not a requirement: a nunjucks that stops doing this makes the guard unneeded.
  const slow = !(await fastAfterImporting(['nunjucks']))
  t.comment(slow ? 'nunjucks still normalizes String.prototype' : 'nunjucks no longer normalizes String.prototype')
  t.pass()
})
