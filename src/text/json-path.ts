/**
 * The small JSON path the config uses to point into an answer: dot-separated keys and `[n]`
 * array indexes, such as `instance_url`, `authed_user.access_token` or `[0].id` (SPEC 7.4).
 * No wildcards or filters: one path names one value.
 */

/** The value at `path` in `value`, or undefined when any step is missing. */
export function valueAt (value: unknown, path: string): unknown {
  let at = value
  for (const step of parseJsonPath(path)) {
    if (typeof step === 'number') {
      if (!Array.isArray(at)) return undefined
      at = at[step]
    } else {
      if (at === null || typeof at !== 'object' || Array.isArray(at) || !Object.hasOwn(at, step)) return undefined
      at = (at as Record<string, unknown>)[step]
    }
  }
  return at
}

/** `a.b[0].c` -> ['a', 'b', 0, 'c']; throws for anything else (checked at load). */
export function parseJsonPath (path: string): Array<string | number> {
  const steps: Array<string | number> = []
  const pattern = /\[(\d+)\]|\.?([A-Za-z_$][\w$-]*)/y
  let at = 0
  while (at < path.length) {
    pattern.lastIndex = at
    const m = pattern.exec(path)
    if (m === null || (m[2] !== undefined && at > 0 && path[at] !== '.' && path[at - 1] !== ']') || (m[2] !== undefined && at === 0 && path[0] === '.')) {
      throw new Error(`'${path}' is not a path such as a.b[0].c`)
    }
    steps.push(m[1] !== undefined ? Number(m[1]) : m[2]!)
    at = pattern.lastIndex
  }
  if (steps.length === 0) throw new Error('an empty path')
  return steps
}
