/**
 * The id and name patterns of the config, in a module of their own: the routes and parsers that
 * check an id at run time need the pattern, not the schema (which is built at build time, see
 * compiled-schemas.ts).
 */
export const ID_PATTERN = '^[a-z0-9][a-z0-9_-]{0,62}$'
export const SECRET_NAME_PATTERN = '^[A-Za-z_][A-Za-z0-9_]*$'
