/** `latchkey --version`: the version in the package.json this code ships in. */
import { existsSync, readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

/**
 * Walks up from this module to latchkey's package.json: dist/commands/, src/commands/ and a
 * transpiled copy of src/ (tests) all sit below it.
 */
export function packageVersion (from: string = dirname(fileURLToPath(import.meta.url))): string {
  for (let dir = from; ; dir = dirname(dir)) {
    const file = join(dir, 'package.json')
    if (existsSync(file)) {
      const pkg = JSON.parse(readFileSync(file, 'utf8')) as { name?: string, version?: string }
      if (pkg.name === 'latchkey' && typeof pkg.version === 'string') return pkg.version
    }
    if (dirname(dir) === dir) return 'unknown'
  }
}
