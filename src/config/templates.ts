/**
 * Finds every template in a config by walking it beside the schema: a string whose schema is
 * marked `x-template` is a template of that site. Used by validation; the runtime compiles the
 * same fields where it builds each feature.
 */
import type { TemplateSite } from '../templates/types.js'
import { schemas } from './compiled-schemas.js'
import type { ConfigPath } from './yaml-source.js'

export interface TemplateField {
  path: ConfigPath
  source: string
  site: TemplateSite
}

interface SchemaNode {
  'x-template'?: TemplateSite
  'x-template-leaves'?: TemplateSite
  properties?: Record<string, SchemaNode>
  patternProperties?: Record<string, SchemaNode>
  additionalProperties?: SchemaNode | boolean
  items?: SchemaNode
  anyOf?: SchemaNode[]
  oneOf?: SchemaNode[]
  discriminator?: { propertyName: string }
  type?: string
  const?: unknown
}

export function templateFields (config: unknown): TemplateField[] {
  const found: TemplateField[] = []
  walk(schemas.configSchema as SchemaNode, config, [], found)
  return found
}

function walk (schema: SchemaNode, value: unknown, path: (string | number)[], out: TemplateField[]): void {
  if (value === undefined || value === null) return
  if (schema['x-template'] !== undefined) {
    if (typeof value === 'string') out.push({ path, source: value, site: schema['x-template'] })
    return
  }
  if (schema['x-template-leaves'] !== undefined) {
    leaves(value, path, schema['x-template-leaves'], out)
    return
  }
  const variants = schema.oneOf ?? schema.anyOf
  if (variants !== undefined) {
    const variant = pickVariant(schema, variants, value)
    if (variant !== undefined) walk(variant, value, path, out)
    return
  }
  if (Array.isArray(value)) {
    if (schema.items !== undefined) value.forEach((item, i) => walk(schema.items!, item, [...path, i], out))
    return
  }
  if (typeof value !== 'object') return
  for (const [key, child] of Object.entries(value as Record<string, unknown>)) {
    const childSchema = schema.properties?.[key] ??
      Object.values(schema.patternProperties ?? {})[0] ??
      (typeof schema.additionalProperties === 'object' ? schema.additionalProperties : undefined)
    if (childSchema !== undefined) walk(childSchema, child, [...path, key], out)
  }
}

function pickVariant (schema: SchemaNode, variants: SchemaNode[], value: unknown): SchemaNode | undefined {
  const tag = schema.discriminator?.propertyName
  if (tag !== undefined) {
    const wanted = (value as Record<string, unknown>)[tag]
    return variants.find((v) => v.properties?.[tag]?.const === wanted)
  }
  const kind = Array.isArray(value) ? 'array' : typeof value
  return variants.find((v) => v.type === kind || (v.type === undefined && v['x-template'] === undefined && kind === 'object')) ??
    variants.find((v) => v.type === 'string' && kind === 'string')
}

function leaves (value: unknown, path: (string | number)[], site: TemplateSite, out: TemplateField[]): void {
  if (typeof value === 'string') out.push({ path, source: value, site })
  else if (Array.isArray(value)) value.forEach((item, i) => leaves(item, [...path, i], site, out))
  else if (value !== null && typeof value === 'object') {
    for (const [key, child] of Object.entries(value)) leaves(child, [...path, key], site, out)
  }
}
