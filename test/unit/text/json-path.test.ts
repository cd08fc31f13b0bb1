/** The config's JSON paths (post_connect metadata, token_path, test.expect_json): keys and [n] indexes only. */
import t from 'tap'
import { parseJsonPath, valueAt } from '../../../src/text/json-path.js'

t.test('paths name one value', async (t) => {
  t.same(parseJsonPath('[0].id'), [0, 'id'])
  t.same(parseJsonPath('a.b[2].c'), ['a', 'b', 2, 'c'])
  t.equal(valueAt([{ id: 'cloud-1' }], '[0].id'), 'cloud-1')
  t.equal(valueAt({ authed_user: { access_token: 'x' } }, 'authed_user.access_token'), 'x')
  t.equal(valueAt({ a: 1 }, 'b'), undefined)
  t.equal(valueAt({ a: 1 }, 'constructor'), undefined, 'inherited names are not values')
  t.equal(valueAt('text', '[0]'), undefined)
  for (const bad of ['', '.a', 'a..b', 'a[x]', 'a b', 'a.']) t.throws(() => parseJsonPath(bad), `refused: ${JSON.stringify(bad)}`)
})
