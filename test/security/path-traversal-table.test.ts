/**
 * SPEC 6.4: every path that could leave the base URL, smuggle a second request line or change
 * the upstream host is refused with 400 invalid_path before any credential work.
 */
import t from 'tap'
import { checkForwardPath, checkQueryString } from '../../src/proxy/path-safety.js'

const hostile: string[] = [
  // plain traversal
  '/..', '/../x', '/a/../../x', '/a/b/..', '/a/..', '/a/./../x',
  // percent-encoded dots, any case, half-encoded
  '/%2e%2e/x', '/%2E%2E/x', '/%2E%2e/x', '/.%2e/x', '/%2e./x', '/a/%2e%2e', '/a/.%2E',
  // double-encoded
  '/%252e%252e/x', '/%252E%252e/x', '/.%252e/x', '/%25%32%65%25%32%65/x',
  // encoded slash around dots: decodes to ../
  '/..%2fx', '/a/..%2F..%2Fetc', '/a%2f..%2fb', '/x/%2e%2e%2f%2e%2e%2fadmin', '/a%252f..%252fb',
  // backslashes, raw, encoded, double-encoded, as separators of ..
  '/a\\..\\b', '/a\\b', '/%5c', '/%5C..%5Cx', '/%255c', '/%255C', '/..%5cx', '/a/..%5c',
  // NUL / CR / LF raw, encoded, double-encoded
  '/a\u0000b', '/a\rb', '/a\nb', '/%00', '/a%00.json', '/%0d%0aX:1', '/%0D%0AHost:%20evil', '/%0a', '/%250d', '/%250A', '/%2500',
  // scheme-relative and host changes
  '//evil.com/x', '//', '/%2f%2fevil.com', '/%2Fevil.com', '/%252f%252fevil.com', '/\\evil.com',
  // @ or a scheme in the leading segment
  '/@evil.com', '/user@evil.com/x', '/%40evil.com', '/%2540evil.com', '/http:%2f%2fevil', '/https://evil.com',
  '/javascript:alert(1)', '/HTTP:evil', '/%68ttp:%2f%2fevil', '/http%3a%2f%2fevil',
  // fragments
  '/a#frag', '/%23frag', '/a/%23', '/%2523frag',
  // malformed percent-encoding
  '/%', '/a%', '/%zz', '/%2', '/%g0', '/a%2x',
  // path parameters and trailing spaces around ..
  '/..;/x', '/a/..;jsessionid=1/x', '/%2e%2e;/x', '/..%20/x', '/..%09/x',
  // overlong UTF-8 and full-width forms of . and /
  '/%c0%ae%c0%ae/x', '/%c0%af', '/%e0%80%ae%e0%80%ae/x', '/%ef%bc%8e%ef%bc%8e/x', '/a/%ef%bc%8e%ef%bc%8e',
  '/%ef%bc%bcx', '/%ef%bc%a0evil.com', '/%25c0%25ae%25c0%25ae/x', '/caf%C3%A9/%252e%252e/%25zz',
  // raw characters that must be percent-encoded
  '/a b', '/a\tb', '/caf\u00e9', '/a\u007fb',
  // not a rest at all
  'x', '..', '\\x',
]

t.test(`${hostile.length} hostile paths are refused with invalid_path`, async (t) => {
  t.ok(hostile.length >= 40)
  for (const rest of hostile) {
    t.throws(() => checkForwardPath(rest), { code: 'invalid_path', status: 400 }, JSON.stringify(rest))
  }
})

const benign: Array<[string, string]> = [
  // [rest, normalized]
  ['', '/'],
  ['/', '/'],
  ['/v1/items', '/v1/items'],
  ['/v1/items/', '/v1/items/'],
  ['/a%2Fb/c', '/a/b/c'],
  ['/repos/o/r/contents/dir%2Ffile.txt', '/repos/o/r/contents/dir/file.txt'],
  ['/files/my.file..txt', '/files/my.file..txt'],
  ['/a..b', '/a..b'],
  ['/..a/b', '/..a/b'],
  ['/a/...', '/a/...'],
  ['/a/.hidden', '/a/.hidden'],
  ['/a/./b', '/a/./b'],
  ['/~user', '/~user'],
  ['/v1/items:batchGet', '/v1/items:batchGet'],
  ['/a/b:c', '/a/b:c'],
  ['/users/@me', '/users/@me'],
  ['/1:2', '/1:2'],
  ['/caf%C3%A9/%E2%9C%93', '/caf\u00e9/\u2713'],
  ['/search/a%20b', '/search/a b'],
  ['/a%25b', '/a%b'],
  ['/a%2525', '/a%25'],
  ['/a//b', '/a//b'],
  ['/a;b=c', '/a;b=c'],
  ['/q%3Fnot-a-query', '/q?not-a-query'],
  ['/latin1-%e9', '/latin1-\ufffd'],
  ['/$metadata', '/$metadata'],
  ['/caf%C3%A9/%25zz', '/caf\u00e9/%zz'],
  ['/%e9%25zz', '/\ufffd%zz'],
  ['/%c0', '/\ufffd'],
]

t.test('benign paths pass unchanged', async (t) => {
  for (const [rest, normalized] of benign) {
    t.same(checkForwardPath(rest), { path: rest, normalized }, JSON.stringify(rest))
  }
})

t.test('query strings: CR/LF/NUL raw or encoded and raw # are refused', async (t) => {
  for (const q of ['a=%0d%0aX:1', 'a=%0A', 'a=%00', 'a=%0D', 'a=\r', 'a=\n', 'a=\u0000', 'a=1#frag']) {
    t.throws(() => checkQueryString(q), { code: 'invalid_path' }, JSON.stringify(q))
  }
  for (const q of ['', 'a=1&b=2', 'q=%23hash', 'x=%0b%01', 'x=%2500', 'redirect=https%3A%2F%2Fexample.com', 'a=%zz']) {
    t.doesNotThrow(() => checkQueryString(q), JSON.stringify(q))
  }
})
