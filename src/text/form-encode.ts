/**
 * A JSON object as an `application/x-www-form-urlencoded` body in the bracket notation that
 * Stripe-style APIs read: `{"metadata":{"order":"1"},"items":[{"price":"p"}]}` is
 * `metadata[order]=1&items[0][price]=p`. Keys keep the caller's order; `null` is the empty
 * string (how such APIs unset a field). One pass over the value: linear in its size.
 */
export function encodeForm (value: Readonly<Record<string, unknown>>): string {
  const pairs: string[] = []
  const walk = (key: string, item: unknown): void => {
    if (item === null || item === undefined) {
      pairs.push(`${encodeURIComponent(key)}=`)
    } else if (Array.isArray(item)) {
      item.forEach((element, index) => walk(`${key}[${index}]`, element))
    } else if (typeof item === 'object') {
      for (const [name, inner] of Object.entries(item)) walk(`${key}[${name}]`, inner)
    } else {
      pairs.push(`${encodeURIComponent(key)}=${encodeURIComponent(String(item))}`)
    }
  }
  for (const [name, item] of Object.entries(value)) walk(name, item)
  return pairs.join('&')
}
