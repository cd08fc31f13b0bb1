/** encodeForm: a JSON object in the bracket notation of Stripe-style form APIs. */
import t from 'tap'
import { encodeForm } from '../../../src/text/form-encode.js'

t.test('nested objects and arrays use brackets, keys in order, values percent-encoded', async (t) => {
  t.equal(encodeForm({ email: 'a+b@example.com', metadata: { order: 1, 'a b': true }, items: [{ price: 'p_1' }, 'x'], unset: null }),
    'email=a%2Bb%40example.com&metadata%5Border%5D=1&metadata%5Ba%20b%5D=true&items%5B0%5D%5Bprice%5D=p_1&items%5B1%5D=x&unset=')
})

t.test('an empty object is an empty body', async (t) => {
  t.equal(encodeForm({}), '')
})

t.test('a lone surrogate cannot be encoded (the caller gets 400 from action-call)', async (t) => {
  t.throws(() => encodeForm({ a: '\ud800' }))
})
