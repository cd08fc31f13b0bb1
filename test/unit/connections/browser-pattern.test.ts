/**
 * The `pattern` attribute the connect page sends: valid under the `v` flag browsers compile it
 * with, matching what the server's RE2 search accepts (both ends opened where the pattern
 * leaves them open), or left out when a browser could not run it.
 */
import t from 'tap'
import { browserPattern, compileInputPattern } from '../../../src/connections/inputs.js'

const whole = (pattern: string, value: string) => new RegExp(`^(?:${pattern})$`, 'v').test(value)

t.test('browser and server agree', async (t) => {
  const cases: Array<[string, string[], string[]]> = [
    ['^[a-z0-9-]+$', ['acme', 'a-1'], ['Acme', 'a b', '']],
    ['^xox[a-z]-', ['xoxb-123'], ['xob-1', 'axoxb-']],
    ['^[-a-z]+$', ['-a-'], ['1']],
    ['^[^/-]+$', ['abc'], ['a/b', 'a-b']],
    ['SG\\.', ['xSG.y'], ['SGy']],
    ['^(a|b){2}$', ['ab'], ['abc']],
  ]
  for (const [pattern, good, bad] of cases) {
    const browser = browserPattern(pattern)
    t.type(browser, 'string', `${pattern}: a browser can run it`)
    for (const value of good) {
      t.ok(whole(browser!, value), `${pattern}: browser accepts ${value}`)
      t.ok(compileInputPattern(pattern).matcher(value).find(), `${pattern}: server accepts ${value}`)
    }
    for (const value of bad) {
      t.notOk(whole(browser!, value), `${pattern}: browser refuses ${JSON.stringify(value)}`)
      t.notOk(compileInputPattern(pattern).matcher(value).find(), `${pattern}: server refuses ${JSON.stringify(value)}`)
    }
  }
})
