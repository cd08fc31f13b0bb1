/**
 * The stripe catalog entry's actions (customers, charges, invoices) against a recording
 * upstream. Create and update send the caller's JSON body form-encoded in Stripe's bracket
 * notation (`body_format: form`), the only request body Stripe's v1 API reads.
 */
import t from 'tap'
import { runCapabilityTable } from './harness.js'

const KEY = 'sk_test_fakeCapabilities0123456789'

await runCapabilityTable(t, {
  slug: 'stripe',
  connection: "credentials: { api_key: \"{{ get_secret('stripe_key') }}\" }",
  secrets: { stripe_key: KEY },
  headers: { authorization: `Bearer ${KEY}` },
  cases: [
    { entity: 'customer', action: 'list', query: { email: 'jenny.rosen@example.com', limit: '3' }, method: 'GET', url: '/v1/customers?email=jenny.rosen%40example.com&limit=3' },
    { entity: 'customer', action: 'read', params: { id: 'cus_NffrFeUfNV2Hib' }, method: 'GET', url: '/v1/customers/cus_NffrFeUfNV2Hib' },
    { entity: 'customer', action: 'create', body: { name: 'Jenny Rosen', email: 'jenny.rosen@example.com' }, sent: { contentType: 'application/x-www-form-urlencoded', body: 'name=Jenny%20Rosen&email=jenny.rosen%40example.com' }, method: 'POST', url: '/v1/customers' },
    { entity: 'customer', action: 'update', params: { id: 'cus_NffrFeUfNV2Hib' }, body: { metadata: { order_id: '6735' } }, sent: { contentType: 'application/x-www-form-urlencoded', body: 'metadata%5Border_id%5D=6735' }, method: 'POST', url: '/v1/customers/cus_NffrFeUfNV2Hib' },

    // Bracketed keys are how Stripe spells nested parameters; the query encodes them.
    { entity: 'charge', action: 'list', query: { customer: 'cus_NffrFeUfNV2Hib', 'created[gte]': '1700000000' }, method: 'GET', url: '/v1/charges?customer=cus_NffrFeUfNV2Hib&created%5Bgte%5D=1700000000' },
    { entity: 'charge', action: 'read', params: { id: 'ch_3MmlLrLkdIwHu7ix0snN0B15' }, method: 'GET', url: '/v1/charges/ch_3MmlLrLkdIwHu7ix0snN0B15' },
    { entity: 'charge', action: 'create', body: { amount: 1099, currency: 'usd', source: 'tok_visa' }, sent: { contentType: 'application/x-www-form-urlencoded', body: 'amount=1099&currency=usd&source=tok_visa' }, method: 'POST', url: '/v1/charges' },
    { entity: 'charge', action: 'update', params: { id: 'ch_3MmlLrLkdIwHu7ix0snN0B15' }, body: { description: 'Refund follow-up' }, sent: { contentType: 'application/x-www-form-urlencoded', body: 'description=Refund%20follow-up' }, method: 'POST', url: '/v1/charges/ch_3MmlLrLkdIwHu7ix0snN0B15' },

    { entity: 'invoice', action: 'list', query: { status: 'open', limit: '10' }, method: 'GET', url: '/v1/invoices?status=open&limit=10' },
    { entity: 'invoice', action: 'read', params: { id: 'in_1MtHbELkdIwHu7ixl4OzzPMv' }, method: 'GET', url: '/v1/invoices/in_1MtHbELkdIwHu7ixl4OzzPMv' },
    { entity: 'invoice', action: 'create', body: { customer: 'cus_NffrFeUfNV2Hib', collection_method: 'send_invoice', days_until_due: 30 }, sent: { contentType: 'application/x-www-form-urlencoded', body: 'customer=cus_NffrFeUfNV2Hib&collection_method=send_invoice&days_until_due=30' }, method: 'POST', url: '/v1/invoices' },
    { entity: 'invoice', action: 'update', params: { id: 'in_1MtHbELkdIwHu7ixl4OzzPMv' }, body: { description: 'Q3 services' }, sent: { contentType: 'application/x-www-form-urlencoded', body: 'description=Q3%20services' }, method: 'POST', url: '/v1/invoices/in_1MtHbELkdIwHu7ixl4OzzPMv' },
    { entity: 'invoice', action: 'finalize', params: { id: 'in_1MtHbELkdIwHu7ixl4OzzPMv' }, method: 'POST', url: '/v1/invoices/in_1MtHbELkdIwHu7ixl4OzzPMv/finalize' },
  ],
})
