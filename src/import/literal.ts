/**
 * Document text is data. Two things in the config loader would read it as something else:
 *
 * - `${NAME}` in any scalar value is replaced from the environment (SPEC 2) before anything
 *   else: a description reading `${LATCHKEY_MASTER_KEY}` would carry the master key into the
 *   connector (and into every tool description made from it). `envSafe` writes `$${`, which
 *   the loader turns back into a literal `${`.
 * - Template fields (base URL, paths, auth fields) are compiled by nunjucks: `{{`, `{%` and
 *   `{#` would be code (and a stray `#}` an error). `templateLiteral` writes each such `{` or `#`
 *   as an expression (`{{ '{' }}`) that renders the literal character.
 *
 * Plain strings (names, descriptions, labels, scopes) are never compiled and only need
 * `envSafe`, which the emitter applies to every value of the output.
 */

/** The loader's reference syntax (src/config/yaml-source.ts ENV_REFERENCE), unescaped form. */
const ENV_REFERENCE = /\$\{[A-Za-z_][A-Za-z0-9_]*(?::-[^}]*)?\}/g

/**
 * Text that the loader's substitution turns back into `text`. Each reference the loader would
 * match is given one more `$` (`$${` is its escape); a reference nested in another's fallback is
 * consumed by the outer match and so stays as it is.
 */
export function envSafe (text: string): string {
  if (!text.includes('${')) return text
  return text.replace(ENV_REFERENCE, (whole) => `$${whole}`)
}

// Openers, and the comment closer: nunjucks refuses a stray `#}` ("unexpected end of comment").
const TEMPLATE_SYNTAX = /\{(?=[{%#])|#(?=\})/g

/** Template source that renders exactly `text`. */
export function templateLiteral (text: string): string {
  return text.replace(TEMPLATE_SYNTAX, (c) => `{{ '${c}' }}`)
}

/** One line of prose for a description: whitespace collapsed, at most `max` characters. */
export function oneLine (text: string, max: number): string {
  const paragraph = text.trim().split(/\n\s*\n/, 1)[0] ?? ''
  const flat = paragraph.replace(/\s+/g, ' ').trim()
  return flat.length <= max ? flat : `${flat.slice(0, max - 1).trimEnd()}…`
}
