/** RFC 5849 3.4.1: the signature base string of the RFC's own example, and 3.4.1.2 URIs. */
import t from 'tap'
import { baseStringUri, normalizeParameters, percentEncode, signatureBaseString } from '../../../src/auth/oauth1.js'

const OAUTH: Array<[string, string]> = [
  ['oauth_consumer_key', '9djdj82h48djs9d2'],
  ['oauth_token', 'kkk9d7dh3k39sjv7'],
  ['oauth_signature_method', 'HMAC-SHA1'],
  ['oauth_timestamp', '137131201'],
  ['oauth_nonce', '7d8f3e4a'],
]

t.test('the RFC 5849 3.4.1 example', async (t) => {
  // POST /request?b5=%3D%253D&a3=a&c%40=&a2=r%20b with body c2&a3=2+q, as decoded parameters.
  const request = {
    method: 'post',
    url: 'http://EXAMPLE.COM:80/request',
    query: [['b5', '=%3D'], ['a3', 'a'], ['c@', ''], ['a2', 'r b']] as const,
    form: [...new URLSearchParams('c2&a3=2+q')],
  }
  // 3.4.1.3.2, with oauth_version left out as in the RFC.
  t.equal(normalizeParameters([...request.query, ...request.form, ...OAUTH]),
    'a2=r%20b&a3=2%20q&a3=a&b5=%3D%253D&c%40=&c2=&oauth_consumer_key=9djdj82h48djs9d2&oauth_nonce=7d8f3e4a&' +
    'oauth_signature_method=HMAC-SHA1&oauth_timestamp=137131201&oauth_token=kkk9d7dh3k39sjv7')
  t.equal(signatureBaseString(request, OAUTH),
    'POST&http%3A%2F%2Fexample.com%2Frequest&a2%3Dr%2520b%26a3%3D2%2520q%26a3%3Da%26b5%3D%253D%25253D%26c%2540%3D%26c2%3D%26' +
    'oauth_consumer_key%3D9djdj82h48djs9d2%26oauth_nonce%3D7d8f3e4a%26oauth_signature_method%3DHMAC-SHA1%26' +
    'oauth_timestamp%3D137131201%26oauth_token%3Dkkk9d7dh3k39sjv7')
})

t.test('base string URI (3.4.1.2)', async (t) => {
  t.equal(baseStringUri('HTTP://EXAMPLE.COM:80/r%20v/X'), 'http://example.com/r%20v/X')
  t.equal(baseStringUri('https://www.example.net:8080/?q=1'.split('?')[0]!), 'https://www.example.net:8080/')
  t.equal(baseStringUri('https://example.net:443'), 'https://example.net/')
})

t.test('percent-encoding (3.6)', async (t) => {
  t.equal(percentEncode("a b+~-._!*'()é"), 'a%20b%2B~-._%21%2A%27%28%29%C3%A9')
})
