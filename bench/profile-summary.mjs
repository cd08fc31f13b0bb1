/**
 * Summarises a V8 .cpuprofile (`node --cpu-prof`): the functions with the most self time, and
 * self time per source (latchkey's own files, each package, node internals).
 *
 *   node bench/profile-summary.mjs <file.cpuprofile> [top=25]
 *
 * `npm run bench -- --profile` runs latchkey with --cpu-prof and summarises only the samples
 * taken while a latchkey scenario was measured (not start-up, warm-up or the other proxies).
 */
import { readFileSync } from 'node:fs'
import { fileURLToPath, pathToFileURL } from 'node:url'

/** @returns {{ totalMs: number, functions: Array<{ name: string, where: string, ms: number, pct: number }>, sources: Array<{ source: string, ms: number, pct: number }> }} */
export function summariseProfile (file, top = 25, windows = undefined) {
  const profile = JSON.parse(readFileSync(file, 'utf8'))
  const byId = new Map(profile.nodes.map((n) => [n.id, n]))
  const self = new Map()
  // timeDeltas[i] is the time before sample i; attribute it to that sample's node. Timestamps
  // are CLOCK_MONOTONIC microseconds, the clock of process.hrtime(): `windows` ([startUs, endUs]
  // pairs taken with process.hrtime.bigint() / 1000n) keeps only the samples inside them.
  let at = profile.startTime
  for (let i = 0; i < profile.samples.length; i++) {
    const delta = profile.timeDeltas[i] ?? 0
    at += delta
    if (windows !== undefined && !windows.some(([from, to]) => at >= from && at <= to)) continue
    const id = profile.samples[i]
    self.set(id, (self.get(id) ?? 0) + delta)
  }
  let total = 0
  const functions = new Map()
  const sources = new Map()
  for (const [id, us] of self) {
    total += us
    const frame = byId.get(id).callFrame
    const name = frame.functionName || '(anonymous)'
    const where = frame.url === '' ? '' : `${shortUrl(frame.url)}:${frame.lineNumber + 1}`
    const key = `${name} ${where}`
    const entry = functions.get(key) ?? { name, where, us: 0 }
    entry.us += us
    functions.set(key, entry)
    const source = sourceOf(frame.url, name)
    sources.set(source, (sources.get(source) ?? 0) + us)
  }
  const pct = (us) => Math.round((us / total) * 1000) / 10
  // Inclusive time of latchkey's own functions (dist/): what each step costs with everything it
  // calls. A function on the stack more than once counts once.
  const inclusive = new Map()
  const parents = new Map()
  for (const n of profile.nodes) for (const c of n.children ?? []) parents.set(c, n.id)
  for (const [id, us] of self) {
    const seen = new Set()
    for (let cur = id; cur !== undefined; cur = parents.get(cur)) {
      const frame = byId.get(cur).callFrame
      if (!frame.url.includes('/dist/') || frame.url.includes('/node_modules/')) continue
      const key = `${frame.functionName || '(anonymous)'} ${shortUrl(frame.url)}:${frame.lineNumber + 1}`
      if (seen.has(key)) continue
      seen.add(key)
      inclusive.set(key, (inclusive.get(key) ?? 0) + us)
    }
  }
  return {
    inclusive: [...inclusive].sort((a, b) => b[1] - a[1]).slice(0, top)
      .map(([name, us]) => ({ name, ms: Math.round(us / 1000), pct: pct(us) })),
    totalMs: Math.round(total / 1000),
    functions: [...functions.values()].sort((a, b) => b.us - a.us).slice(0, top)
      .map((f) => ({ name: f.name, where: f.where, ms: Math.round(f.us / 1000), pct: pct(f.us) })),
    sources: [...sources].sort((a, b) => b[1] - a[1]).slice(0, top)
      .map(([source, us]) => ({ source, ms: Math.round(us / 1000), pct: pct(us) })),
  }
}

function shortUrl (url) {
  const nm = url.lastIndexOf('node_modules/')
  if (nm !== -1) return url.slice(nm + 'node_modules/'.length)
  const dist = url.lastIndexOf('/dist/')
  if (dist !== -1) return url.slice(dist + 1)
  return url.replace(/^file:\/\//, '')
}

function sourceOf (url, name) {
  if (url === '') return name.startsWith('(') ? name : '(native)'
  if (url.startsWith('node:')) return 'node internals'
  const nm = url.lastIndexOf('node_modules/')
  if (nm !== -1) {
    const rest = url.slice(nm + 'node_modules/'.length).split('/')
    return rest[0].startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0]
  }
  const dist = url.lastIndexOf('/dist/')
  if (dist !== -1) return url.slice(dist + 1)
  return shortUrl(url)
}

export function formatSummary (summary) {
  const lines = [`total sampled: ${summary.totalMs} ms`, '', 'self time by function:']
  for (const f of summary.functions) lines.push(`  ${String(f.pct).padStart(5)}%  ${String(f.ms).padStart(6)} ms  ${f.name}  ${f.where}`)
  lines.push('', 'inclusive time of latchkey functions (dist/):')
  for (const f of summary.inclusive) lines.push(`  ${String(f.pct).padStart(5)}%  ${String(f.ms).padStart(6)} ms  ${f.name}`)
  lines.push('', 'self time by source:')
  for (const s of summary.sources) lines.push(`  ${String(s.pct).padStart(5)}%  ${String(s.ms).padStart(6)} ms  ${s.source}`)
  return lines.join('\n')
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const [file, top] = process.argv.slice(2)
  if (file === undefined) {
    process.stderr.write(`usage: node ${fileURLToPath(import.meta.url)} <file.cpuprofile> [top]\n`)
    process.exit(1)
  }
  process.stdout.write(formatSummary(summariseProfile(file, Number(top ?? 25))) + '\n')
}
