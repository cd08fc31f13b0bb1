/**
 * Defends: the front door (src/edge/framing.ts) counts Host, Authorization and X-Latchkey-Key in
 * any mix of upper and lower case, and only those names: two of one of them, however each is
 * spelled, are refused; names that merely have the same length, or differ by a character that is
 * not a letter, are not counted.
 */
import fc from 'fast-check'
import t from 'tap'
import { refuseAtTheDoor } from '../../src/edge/framing.js'

const spell = (name: string) => fc.array(fc.boolean(), { minLength: name.length, maxLength: name.length })
  .map((upper) => [...name].map((c, i) => upper[i] ? c.toUpperCase() : c).join(''))

t.test('two of a counted name in any case are refused', async (t) => {
  for (const [name, code] of [['host', 'invalid_request'], ['authorization', 'unauthenticated'], ['x-latchkey-key', 'unauthenticated']] as const) {
    fc.assert(fc.property(spell(name), spell(name), (a, b) => refuseAtTheDoor('GET', [a, '1', 'accept', '*/*', b, '2'])?.code === code), { numRuns: 200 })
    t.equal(refuseAtTheDoor('GET', [name.toUpperCase(), '1']), undefined, `one ${name} is fine`)
  }
})

t.test('look-alike names are not counted', async (t) => {
  const alike = ['hosT', 'h0st', 'hos-', 'x_latchkey_key', 'x-latchkey-kez', 'authorizatioN', 'authorisation', 'x-latchkey\u00ffkey']
  for (const name of alike) {
    const counted = ['host', 'x-latchkey-key', 'authorization'].includes(name.toLowerCase())
    t.equal(refuseAtTheDoor('GET', [name, '1', name, '2']) !== undefined, counted, name)
  }
})
