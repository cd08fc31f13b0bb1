/**
 * The repository root. tap runs every test file with its working directory there, both when it
 * runs the TypeScript sources and when `npm test` runs them compiled into .test-build/, so
 * paths to the repo's own files (dist/, README.md, test/helpers/*.mjs, sources to transpile)
 * are built from here, never from `import.meta.url`.
 */
import path from 'node:path'

export const REPO = path.resolve(process.env.TAP_CWD ?? process.cwd())

/** A path inside the repository. */
export function repoPath (...parts: string[]): string {
  return path.join(REPO, ...parts)
}
