/**
 * Names the importer makes out of document text: entity, action and auth method ids (SPEC 3's
 * `^[a-z0-9][a-z0-9_-]{0,62}$`), input names and secret names (`^[A-Za-z_][A-Za-z0-9_]*$`).
 * Every name is built from `[a-z0-9_]` only, so nothing of the document's own spelling (quotes,
 * braces, `$`) reaches a key of the output.
 */

const MAX_ID = 63

/**
 * `listPetsByOwner`, `repos/list-for-org`, `HTTPServer v2` -> `list_pets_by_owner`,
 * `repos_list_for_org`, `http_server_v2`; '' when nothing alphanumeric is left.
 */
export function snakeCase (text: string): string {
  return text
    // Accents dropped (`Über` -> `Uber`) rather than the letters lost.
    .normalize('NFKD').replace(/[\u0300-\u036f]/g, '')
    // Word boundaries inside camelCase: `petId` -> `pet_Id`, `HTTPServer` -> `HTTP_Server`.
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1_$2')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '')
}

/** An id for SPEC 3 (`^[a-z0-9][a-z0-9_-]{0,62}$`), or `fallback` when the text has none. */
export function idFrom (text: string, fallback: string): string {
  const snake = snakeCase(text).slice(0, MAX_ID).replace(/_+$/, '')
  return snake === '' ? fallback : snake
}

/** An input or secret-name piece: `^[A-Za-z_][A-Za-z0-9_]*$`. */
export function identifierFrom (text: string, fallback: string): string {
  const snake = snakeCase(text)
  if (snake === '') return fallback
  return /^[0-9]/.test(snake) ? `_${snake}` : snake
}

/**
 * Hands out names unique within one scope, in the order asked: the second `list` becomes
 * `list_2`, and so on, kept within the id length limit.
 */
export class UniqueNames {
  private readonly taken = new Set<string>()

  constructor (reserved: Iterable<string> = []) {
    for (const name of reserved) this.taken.add(name)
  }

  claim (wanted: string): string {
    if (!this.taken.has(wanted)) {
      this.taken.add(wanted)
      return wanted
    }
    for (let n = 2; ; n++) {
      const suffix = `_${n}`
      const name = `${wanted.slice(0, MAX_ID - suffix.length)}${suffix}`
      if (!this.taken.has(name)) {
        this.taken.add(name)
        return name
      }
    }
  }
}
