/** SPEC 7.1 arithmetic: usable lifetime of a token, and the back-off schedule. */
import t from 'tap'
import { Backoff, FIRST_DELAY_MS, MAX_DELAY_MS } from '../../../src/tokens/backoff.js'
import { DEFAULT_EXPIRES_IN_S, parseExpiresIn, usableSeconds } from '../../../src/tokens/lifetime.js'

t.test('parseExpiresIn accepts positive numbers and numeric strings only', async (t) => {
  t.equal(parseExpiresIn(3600), 3600)
  t.equal(parseExpiresIn('120'), 120)
  t.equal(parseExpiresIn(' 90 '), 90)
  for (const bad of [undefined, null, 0, -5, '', ' ', 'soon', '12abc', Number.NaN, Infinity, {}, [60], true]) {
    t.equal(parseExpiresIn(bad), undefined, `${JSON.stringify(bad)} -> undefined`)
  }
})

t.test('usableSeconds: min(cap, expires_in) - 60, never negative', async (t) => {
  t.equal(DEFAULT_EXPIRES_IN_S, 3600)
  t.equal(usableSeconds(120), 60)
  t.equal(usableSeconds(undefined), 3540, 'absent -> 3600 - 60')
  t.equal(usableSeconds(3600, 600), 540, 'token_ttl caps')
  t.equal(usableSeconds(300, 3600), 240, 'expires_in caps')
  t.equal(usableSeconds(undefined, 600), 540)
  t.equal(usableSeconds(60), 0, 'a minute or less: this request only')
  t.equal(usableSeconds(30), 0)
})

t.test('back-off: 1 s, doubling, capped at 30 s, reset by success', async (t) => {
  let now = 1_000_000
  const backoff = new Backoff(() => now)
  t.equal(backoff.blockedUntil('k'), undefined)
  const delays: number[] = []
  for (let i = 0; i < 8; i++) {
    const until = backoff.fail('k')
    delays.push(until - now)
    t.equal(backoff.blockedUntil('k'), until)
    now = until - 1
    t.equal(backoff.blockedUntil('k'), until, 'blocked until the last millisecond')
    now = until
    t.equal(backoff.blockedUntil('k'), undefined, 'free at `until`')
  }
  t.same(delays, [1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000])
  t.equal(FIRST_DELAY_MS, 1000)
  t.equal(MAX_DELAY_MS, 30_000)
  t.equal(backoff.blockedUntil('other'), undefined, 'per key')
  backoff.succeed('k')
  t.equal(backoff.fail('k') - now, 1000, 'after a success it starts at 1 s again')
})
