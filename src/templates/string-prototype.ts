/**
 * Keeps `String.prototype` in V8's fast-properties mode.
 *
 * nunjucks builds its SafeString as `Object.create(String.prototype, ...)` when it loads (and
 * a package under ioredis does the same). V8 answers an object becoming a prototype that way
 * by turning it into a dictionary ("normalizing" it), expecting the first inline cache that
 * meets it on an object's prototype chain to make it fast again. An inline cache on a string
 * never does: its receiver is not an object. So `String.prototype` stayed a dictionary for the
 * life of the process, and every string method read in optimised code (`s.charCodeAt`,
 * `s.toLowerCase`, in latchkey, undici and node's http alike) became a call into V8's generic
 * `LoadIC` instead of a constant: callgrind counted ~95 such calls and ~9 k instructions per
 * api_key request that the Node ceiling, which loads only undici, does not make.
 *
 * One property store on an object whose prototype is `String.prototype` is such an inline cache:
 * V8 marks the prototype "should be fast" and migrates it back, and once marked, later
 * `Object.create(String.prototype)` calls leave it fast. Test:
 * test/unit/templates/string-prototype-stays-fast.test.ts.
 */
export function keepStringPrototypeFast (): void {
  const probe = Object.create(String.prototype) as { probe?: number }
  probe.probe = 1
}
