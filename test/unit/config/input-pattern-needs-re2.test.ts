/**
 * `inputs` patterns are checked on the server with RE2 (linear time, src/connections/inputs.ts):
 * a pattern RE2 cannot run is a validate problem at its position, and a plain one is fine.
 */
import t from 'tap'
import { problemsOf } from '../../helpers/config.js'

const config = (pattern: string) => `
connectors:
  c:
    base_url: https://api.example.com
    inputs:
      - { name: code, pattern: '${pattern}' }
`

t.test('backreferences and lookaround are refused; ordinary patterns pass', async (t) => {
  t.same(problemsOf(config('^[a-z0-9-]+$')), [])
  t.same(problemsOf(config('^xox[a-z]-')), [])
  for (const pattern of ['^(a)\\1$', '^(?=a)a$', '^(?!b)a$']) {
    const problems = problemsOf(config(pattern))
    t.equal(problems.length, 1, pattern)
    t.match(problems[0], /^6:\d+: connectors\.c\.inputs\[0\]\.pattern: pattern uses syntax the linear-time matcher \(RE2\)/, pattern)
  }
})
