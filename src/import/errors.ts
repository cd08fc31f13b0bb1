/** A document that cannot be imported: the message names the file and, where known, the place. */
export class OpenApiImportError extends Error {
  override readonly name = 'OpenApiImportError'
}

export function isOpenApiImportError (err: unknown): err is OpenApiImportError {
  return err instanceof OpenApiImportError
}
