/**
 * The baseline: a bare @fastify/http-proxy that forwards everything to the bench upstream and
 * adds one static header, no logging. latchkey's numbers are read as ratios to this process.
 *
 *   node bench/bare-proxy.mjs <upstream origin>
 *
 * Prints one JSON line `{"address": "http://127.0.0.1:N"}` on stdout once listening.
 */
import Fastify from 'fastify'
import proxy from '@fastify/http-proxy'

const upstream = process.argv[2]
if (upstream === undefined) throw new Error('usage: bare-proxy.mjs <upstream origin>')

const app = Fastify({ logger: false })
await app.register(proxy, {
  upstream,
  replyOptions: {
    rewriteRequestHeaders: (_request, headers) => ({ ...headers, 'x-bench-proxy': 'bare' }),
  },
})
const address = await app.listen({ host: '127.0.0.1', port: 0 })
process.stdout.write(JSON.stringify({ address }) + '\n')
process.on('SIGTERM', () => { app.close().then(() => process.exit(0)) })
