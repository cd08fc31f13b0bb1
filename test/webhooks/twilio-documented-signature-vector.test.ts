/**
 * The url_hmac verifier against Twilio's own worked example (auth token 12345, the URL
 * https://mycompany.com/myapp.php?foo=1&bar=2 and five form parameters signed
 * 0/KCTR6DLpKmkAf8muzZqo1nDgQ=, https://www.twilio.com/docs/usage/webhooks/webhooks-security):
 * accepted with the parameters in any order and with or without :443; any change refused.
 */
import t from 'tap'
import { verifierFor, type WebhookRequest } from '../../src/webhooks/verify/index.js'

const verifier = verifierFor({ type: 'url_hmac', header: 'X-Twilio-Signature', signed: 'url_and_form', secret: 'unused' })
const form = 'To=%2B18005551212&CallSid=CA1234567890ABCDE&Digits=1234&From=%2B12349013030&Caller=%2B12349013030'
const request = (url: string, body = form, signature = '0/KCTR6DLpKmkAf8muzZqo1nDgQ='): WebhookRequest => ({
  method: 'POST',
  headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': signature },
  body: Buffer.from(body),
  url,
  query: new URLSearchParams(url.slice(url.indexOf('?'))),
})
const context = { secret: '12345', nowMs: Date.now(), toleranceMs: 300_000 }

t.test('Twilio\'s documented example verifies', async (t) => {
  t.ok(await verifier.verify(request('https://mycompany.com/myapp.php?foo=1&bar=2'), context), 'as documented')
  t.ok(await verifier.verify(request('https://mycompany.com:443/myapp.php?foo=1&bar=2'), context), 'with :443 (Twilio signs either)')
})

t.test('any change is refused', async (t) => {
  t.notOk(await verifier.verify(request('https://mycompany.com/myapp.php?foo=1&bar=3'), context), 'another query')
  t.notOk(await verifier.verify(request('https://mycompany.com/myapp.php?foo=1&bar=2', form.replace('1234&', '1235&')), context), 'another parameter value')
  t.notOk(await verifier.verify(request('https://mycompany.com/myapp.php?foo=1&bar=2', `${form}&Extra=1`), context), 'one parameter more')
  t.notOk(await verifier.verify(request('https://mycompany.com/myapp.php?foo=1&bar=2'), { ...context, secret: '12346' }), 'another auth token')
  t.notOk(await verifier.verify(request('https://mycompany.com/myapp.php?foo=1&bar=2', form, '0/KCTR6DLpKmkAf8muzZqo1nDgQ'), context), 'a truncated signature')
  t.notOk(await verifier.verify(request('https://mycompany.com:8443/myapp.php?foo=1&bar=2'), context), 'another port')
})
