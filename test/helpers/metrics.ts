/**
 * For /metrics tests: an admin api key and its YAML, a scrape with it, and one sample read from
 * the Prometheus text by name and exact labels.
 */
import type { TestGateway } from './gateway.js'

export const METRICS_ADMIN_KEY = 'ak-metrics-admin-7c1d9e2f'

/** `callers:` with one admin key `ops` (secret `ops_key`) and one plain key `svc` (`svc_key`). */
export const METRICS_CALLERS = `
callers:
  api_keys:
    ops: { key: "{{ get_secret('ops_key') }}", admin: true }
    svc: { key: "{{ get_secret('svc_key') }}" }
`
export const METRICS_CALLER_SECRETS = { ops_key: METRICS_ADMIN_KEY, svc_key: 'ak-metrics-service-3b8a0c4e' }

/** GET /metrics as an admin key (METRICS_ADMIN_KEY by default): the text, failing loudly on any other status. */
export async function scrape (lk: Pick<TestGateway, 'fetch'>, adminKey = METRICS_ADMIN_KEY): Promise<string> {
  const res = await lk.fetch('/metrics', { headers: { 'x-latchkey-key': adminKey } })
  const text = await res.text()
  if (res.status !== 200) throw new Error(`/metrics answered ${res.status}: ${text}`)
  return text
}

/** The value of `name{labels}` exactly (label order as prom-client writes it), or undefined. */
export function sample (text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  const inner = Object.entries(labels).map(([k, v]) => `${k}="${v}"`).join(',')
  const prefix = inner === '' ? `${name} ` : `${name}{${inner}} `
  const line = text.split('\n').find((l) => l.startsWith(prefix))
  return line === undefined ? undefined : Number(line.slice(prefix.length))
}
