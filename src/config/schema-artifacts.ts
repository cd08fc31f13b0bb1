/** Where the build puts the precompiled schema (precompile.ts) and where the loader looks (compiled-schemas.ts). */
export const GENERATED_DIR = new URL('./generated/', import.meta.url)

export const GENERATED_FILES = {
  configSchema: 'config-schema.json',
  config: 'config-validate.cjs',
  connection: 'connection-validate.cjs',
} as const
