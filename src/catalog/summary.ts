/** The public description of a connector (admin API, `connectors list`): never a template's value. */
import type { ResolvedConnector } from '../config/model.js'

export function connectorSummary (c: ResolvedConnector) {
  return {
    slug: c.slug,
    name: c.name ?? c.slug,
    description: c.description ?? null,
    domain: c.domain ?? null,
    visibility: c.visibility ?? 'private',
    icon_url: c.icon_url ?? null,
    auth_methods: Object.entries(c.auth.methods).map(([name, m]) => ({ name, type: m.type })),
    default_auth: c.auth.default,
    inputs: c.inputs ?? [],
    capabilities: c.capabilities ?? {},
    source: c.source,
  }
}
