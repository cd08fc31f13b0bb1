/** `/healthz` (the process serves) and `/readyz` (config, store and cache are usable). */
import type { FastifyInstance } from 'fastify'

export interface HealthDeps {
  /** Each check resolves when its part is usable and rejects otherwise. */
  checks: Readonly<Record<string, () => Promise<void>>>
  timeoutMs?: number
}

export async function healthRoutes (app: FastifyInstance, deps: HealthDeps): Promise<void> {
  app.get('/healthz', async () => ({ status: 'ok' }))
  app.get('/readyz', async (_request, reply) => {
    const failing: string[] = []
    await Promise.all(Object.entries(deps.checks).map(async ([name, check]) => {
      try {
        await withTimeout(check(), deps.timeoutMs ?? 2000)
      } catch {
        failing.push(name)
      }
    }))
    if (failing.length === 0) return { status: 'ready' }
    return reply.code(503).send({ status: 'not_ready', failing: failing.sort() })
  })
}

async function withTimeout (promise: Promise<void>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined
  try {
    await Promise.race([promise, new Promise<never>((_resolve, reject) => { timer = setTimeout(() => reject(new Error('timeout')), ms) })])
  } finally {
    clearTimeout(timer)
  }
}
