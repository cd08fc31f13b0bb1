/**
 * TokenService.cached(): the in-process tier's token, synchronously, while it is usable (what a
 * warm token-based request uses instead of awaiting token()); nothing for an unknown key or once
 * the token's usable time has passed, when token() fetches anew.
 */
import t from 'tap'
import { TokenService } from '../../../src/tokens/service.js'

t.test('a usable cached token at once; none before the first fetch or after expiry', async (t) => {
  let now = 1_700_000_000_000
  const hits: string[] = []
  const tokens = new TokenService({ now: () => now, events: { hit: (tier) => hits.push(tier) } })
  let fetched = 0
  const fetch = async () => ({ access_token: `tok-${++fetched}`, usable_s: 60 })

  t.equal(tokens.cached('k'), undefined, 'nothing before the first fetch')
  t.equal(await tokens.token({ key: 'k', fetch }), 'tok-1')
  t.equal(tokens.cached('k'), 'tok-1', 'the fetched token, without a promise')
  t.same(hits, ['local'], 'counted as a local hit')
  t.equal(tokens.cached('other'), undefined, 'another key has none')

  now += 61_000
  t.equal(tokens.cached('k'), undefined, 'past its usable time: not answered from the cache')
  t.equal(await tokens.token({ key: 'k', fetch }), 'tok-2', 'token() fetches anew')
  t.equal(tokens.cached('k'), 'tok-2')
})
