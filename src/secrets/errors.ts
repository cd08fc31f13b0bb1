/**
 * Failures of the sealed store. One class and a literal union of codes so a caller can
 * `switch (err.code)`. Messages name records and files, never a value or a key.
 */
export type StoreErrorCode =
  | 'wrong_key'       // a record carries the id of another master key
  | 'tampered'        // authentication failed: modified, moved to another record, or wrong key
  | 'corrupt'         // the file or a record is not in the expected format
  | 'io'              // the file system or Redis failed
  | 'invalid_key'     // a master key that is not base64 of 32 bytes
  | 'missing_key'     // no master key configured where one is required
  | 'conflict'        // an optimistic transaction kept losing to concurrent writers
  | 'invalid_config'  // the store configuration cannot be used

export class StoreError extends Error {
  override readonly name = 'StoreError'
  readonly code: StoreErrorCode

  constructor (code: StoreErrorCode, message: string, options: { cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause })
    this.code = code
  }
}

export function isStoreError (err: unknown): err is StoreError {
  return err instanceof StoreError
}
