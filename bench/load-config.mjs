/**
 * The gateway's config load on its own: `node bench/load-config.mjs FILE` imports latchkey from
 * dist/ first, then times createGateway (read, parse, schema and semantic checks, resolve, open
 * the store and cache, build the runtime: everything between the process's start-up and its
 * listen) and prints `{"ms": ..., "cpu_ms": ...}`. bench/run.mjs runs it on the bench config
 * and with --scale connections more (the `scale_load` scenario); node's own start and module
 * loading are what `latchkey validate` and start to listening add on top.
 */
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { fileURLToPath } from 'node:url'

const repo = fileURLToPath(new URL('../', import.meta.url))
const file = process.argv[2]
if (file === undefined) throw new Error('usage: node bench/load-config.mjs CONFIG_FILE')
const { createGateway } = await import(join(repo, 'dist', 'gateway.js'))

const cpu = process.cpuUsage()
const started = performance.now()
const gateway = await createGateway({ configFile: file, env: process.env })
const ms = performance.now() - started
const used = process.cpuUsage(cpu)
await gateway.close()
process.stdout.write(JSON.stringify({ ms: Math.round(ms), cpu_ms: Math.round((used.user + used.system) / 1000) }) + '\n')
