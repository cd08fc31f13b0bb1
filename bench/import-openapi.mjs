/**
 * `latchkey import openapi` on GitHub's REST description (@octokit/openapi, ~13 MB of JSON,
 * ~1,200 operations): parse, validate, resolve and emit, in this process. Prints one JSON line
 * on stdout: {"ms": wall time of the import, "rss_mb": peak resident set size of the process}.
 * Run after `npm run build` (it imports dist/).
 *
 *   node bench/import-openapi.mjs [FILE]
 */
import { createRequire } from 'node:module'
import { performance } from 'node:perf_hooks'

const file = process.argv[2] ?? createRequire(import.meta.url).resolve('@octokit/openapi/generated/api.github.com.json')
const { importOpenApi } = await import('../dist/import/index.js')

const started = performance.now()
const result = await importOpenApi(file, { slug: 'github' })
const ms = performance.now() - started
if (!result.yaml.includes('connectors:')) throw new Error('no connector written')
// maxRSS is in kilobytes.
process.stdout.write(`${JSON.stringify({ ms: Math.round(ms), rss_mb: Math.round(process.resourceUsage().maxRSS / 1024) })}\n`)
