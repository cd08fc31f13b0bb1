/**
 * The capabilities of the built-in connectors, as data: snake_case names (MCP tool names are
 * built from them), a description on every action (the tool's description), path parameters
 * that are plain `params.<name>` reads, and event lists where the provider sends webhooks.
 */
import t from 'tap'
import { BUILTIN_CONNECTORS } from '../../../src/catalog/builtin.js'

const SNAKE = /^[a-z][a-z0-9]*(_[a-z0-9]+)*$/
/** Providers whose webhooks latchkey verifies (SPEC 10) or that sign their own (HubSpot). */
const WITH_EVENTS = ['github', 'hubspot', 'shopify', 'slack', 'stripe']
const SLUGS = [...WITH_EVENTS, 'salesforce']

t.test('entities, actions, descriptions and path parameters', async (t) => {
  for (const slug of SLUGS) {
    const entities = Object.entries(BUILTIN_CONNECTORS[slug]?.capabilities?.entities ?? {})
    t.ok(entities.length >= 2, `${slug} declares its main entities`)
    for (const [entity, spec] of entities) {
      t.match(entity, SNAKE, `${slug}.${entity}: snake_case entity`)
      t.ok((spec.fields ?? []).length > 0, `${slug}.${entity}: fields`)
      const actions = Object.entries(spec.actions ?? {})
      t.ok(['list', 'read', 'create'].every((name) => actions.some(([a]) => a === name)) ||
        (slug === 'slack' && entity === 'message'), `${slug}.${entity}: list, read and create`)
      for (const [name, action] of actions) {
        const at = `${slug}.${entity}.${name}`
        t.match(name, SNAKE, `${at}: snake_case action`)
        t.ok((action.description ?? '').length >= 20, `${at}: a description`)
        t.notMatch(action.description ?? '', /\{\{|\{%/, `${at}: the description is text, not a template`)
        t.match(action.path, /^\//, `${at}: a path below the base URL`)
        for (const m of action.path.matchAll(/\{\{(.*?)\}\}/g)) {
          t.match(m[1]!.trim(), /^params\.[a-z][a-z0-9_]*$/, `${at}: ${m[0]} is a plain path parameter`)
        }
      }
      if (WITH_EVENTS.includes(slug)) t.ok((spec.events ?? []).length > 0, `${slug}.${entity}: webhook events`)
      else t.notOk(spec.events, `${slug}.${entity}: no webhooks, no events`)
    }
  }
})
