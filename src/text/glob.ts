/**
 * Glob matching in time linear in the input, for every glob that meets caller input (`allow`
 * rules on paths, `allowed_hosts` on rendered hosts).
 *
 * Why not RegExp: a glob compiled to a backtracking RegExp (`[^/]*-[^/]*-[^/]*\.csv`) takes time
 * polynomial in the input when the match fails late; 5 KB of dashes stalled the process for
 * 35 s. Here a glob is split once, at load, into parts (segments or labels), and each part into
 * the literal pieces between its `*`s. Matching is then greedy, which is exact for `*`-only
 * globs: each piece is placed at its leftmost possible position (leaving the most room for the
 * rest), and a `**` run only ever resumes from the last `**` seen. The cost is
 * O(parts of the glob x length of the input), and the glob is operator config, not input.
 */

/** One part of a glob (a path segment, a host label): literal pieces around its `*`s. */
export interface CompiledPart {
  /** `**`: any number of whole parts (the minimum is the glob's `deepMin`). */
  readonly deep: boolean
  /** Exactly `*`: one whole, non-empty part. */
  readonly whole: boolean
  /** Literal text between the `*`s; one piece means no `*` at all. */
  readonly pieces: readonly string[]
}

export interface GlobOptions {
  /** Fewest parts a `**` matches (0 for path segments, 1 for host labels). */
  readonly deepMin: 0 | 1
  /** Fewest characters an in-part `*` matches (0 for paths, 1 for hosts). */
  readonly starMin: 0 | 1
  /**
   * Whether a part may be matched by a `*`-bearing or `**` glob part at all. Hosts use this to
   * keep wildcards to `[a-z0-9-]` labels, as before; literal parts always compare exactly.
   */
  readonly wildcardable?: (part: string) => boolean
}

export interface CompiledGlob {
  readonly parts: readonly CompiledPart[]
  readonly options: GlobOptions
}

export function compileGlob (parts: readonly string[], options: GlobOptions): CompiledGlob {
  return Object.freeze({
    parts: Object.freeze(parts.map((part): CompiledPart => Object.freeze({ deep: part === '**', whole: part === '*', pieces: Object.freeze(part.split('*')) }))),
    options,
  })
}

/**
 * Does the whole input (already split into parts) match the glob? Greedy over parts: `**`
 * remembers where it stood, and on a mismatch the most recent `**` takes one more part.
 */
export function matchGlob (glob: CompiledGlob, input: readonly string[]): boolean {
  const { parts, options } = glob
  let g = 0
  let i = 0
  // The last `**` seen and the input position it was tried at.
  let deepAt = -1
  let deepInput = 0
  while (i < input.length || g < parts.length) {
    const part = parts[g]
    if (part !== undefined && part.deep) {
      deepAt = g
      // A `**` that must take one part takes it now; more are taken by backing off.
      if (options.deepMin === 1) {
        if (i >= input.length || !wildcardable(options, input[i]!)) return false
        i++
      }
      deepInput = i
      g++
      continue
    }
    if (part !== undefined && i < input.length && matchPart(part, input[i]!, options)) {
      g++
      i++
      continue
    }
    // Mismatch: let the last `**` swallow one more input part and retry after it.
    if (deepAt === -1 || deepInput >= input.length || !wildcardable(options, input[deepInput]!)) return false
    deepInput++
    i = deepInput
    g = deepAt + 1
  }
  return true
}

/** One input part against one non-`**` glob part. */
function matchPart (part: CompiledPart, text: string, options: GlobOptions): boolean {
  const { pieces } = part
  if (pieces.length === 1) return text === pieces[0]
  if (!wildcardable(options, text)) return false
  if (part.whole) return text.length > 0
  const first = pieces[0]!
  const last = pieces[pieces.length - 1]!
  if (!text.startsWith(first)) return false
  let at = first.length
  for (let p = 1; p < pieces.length - 1; p++) {
    const piece = pieces[p]!
    const found = text.indexOf(piece, at + options.starMin)
    if (found === -1) return false
    at = found + piece.length
  }
  // The last piece sits at the very end, after at least starMin characters of the last `*`.
  const lastStart = text.length - last.length
  return lastStart >= at + options.starMin && text.endsWith(last)
}

function wildcardable (options: GlobOptions, part: string): boolean {
  return options.wildcardable === undefined || options.wildcardable(part)
}
