/**
 * Fresh request ids: random (version 4) UUIDs, as `crypto.randomUUID()` makes them, but built as
 * one flat string.
 *
 * node's randomUUID joins 16 hex pairs and four dashes with `+`, which gives V8 a tree of
 * concatenated strings. Every header check that then ran a regular expression over the id (node's
 * for the answer's X-Request-Id, undici's for the upstream's) had to leave optimised code to
 * flatten it first: about 3 k instructions per api_key request with the concatenations, a fifth
 * of all the string work latchkey did on top of the Node ceiling (callgrind). Here the 36
 * characters are written into a buffer and read out as one latin1 string.
 *
 * The bytes come from `crypto.randomFillSync`, 4 KiB at a time, like randomUUID's own cache.
 */
import { randomFillSync } from 'node:crypto'

const POOL_BYTES = 4096
const pool = Buffer.alloc(POOL_BYTES)
let used = POOL_BYTES

const text = Buffer.alloc(36)
/** Character codes of the two hex digits of each byte value. */
const HIGH = new Uint8Array(256)
const LOW = new Uint8Array(256)
for (let b = 0; b < 256; b++) {
  HIGH[b] = '0123456789abcdef'.charCodeAt(b >> 4)
  LOW[b] = '0123456789abcdef'.charCodeAt(b & 15)
}
/** Where each of the 16 bytes' two digits go in `xxxxxxxx-xxxx-4xxx-Nxxx-xxxxxxxxxxxx`. */
const AT = Uint8Array.of(0, 2, 4, 6, 9, 11, 14, 16, 19, 21, 24, 26, 28, 30, 32, 34)
for (const dash of [8, 13, 18, 23]) text[dash] = 0x2d

export function newRequestId (): string {
  if (used + 16 > POOL_BYTES) {
    randomFillSync(pool)
    used = 0
  }
  const start = used
  used += 16
  pool[start + 6] = (pool[start + 6]! & 0x0f) | 0x40 // version 4
  pool[start + 8] = (pool[start + 8]! & 0x3f) | 0x80 // variant 10xx (RFC 9562)
  for (let i = 0; i < 16; i++) {
    const b = pool[start + i]!
    const at = AT[i]!
    text[at] = HIGH[b]!
    text[at + 1] = LOW[b]!
  }
  return text.toString('latin1', 0, 36)
}
