/** The shopify catalog entry's Admin REST actions (products, orders, customers) against a recording upstream. */
import t from 'tap'
import { runCapabilityTable } from './harness.js'

const TOKEN = 'shpat_fakecapabilities0123456789abcdef'

await runCapabilityTable(t, {
  slug: 'shopify',
  connection: "config: { shop: acme }, credentials: { access_token: \"{{ get_secret('shop_token') }}\" }",
  secrets: { shop_token: TOKEN },
  // The bare token in Shopify's own header, not a Bearer Authorization.
  headers: { 'x-shopify-access-token': TOKEN },
  cases: [
    { entity: 'product', action: 'list', query: { limit: '250', status: 'active' }, method: 'GET', url: '/products.json?limit=250&status=active' },
    { entity: 'product', action: 'read', params: { id: '632910392' }, method: 'GET', url: '/products/632910392.json' },
    { entity: 'product', action: 'create', body: { product: { title: 'Burton Custom Freestyle 151', vendor: 'Burton', status: 'draft' } }, method: 'POST', url: '/products.json' },
    { entity: 'product', action: 'update', params: { id: '632910392' }, body: { product: { id: 632910392, title: 'New product title' } }, method: 'PUT', url: '/products/632910392.json' },

    { entity: 'order', action: 'list', query: { status: 'any', fields: 'id,name,total_price' }, method: 'GET', url: '/orders.json?status=any&fields=id%2Cname%2Ctotal_price' },
    { entity: 'order', action: 'read', params: { id: '450789469' }, method: 'GET', url: '/orders/450789469.json' },
    { entity: 'order', action: 'create', body: { order: { line_items: [{ variant_id: 447654529, quantity: 1 }], email: 'jane@example.com' } }, method: 'POST', url: '/orders.json' },
    { entity: 'order', action: 'update', params: { id: '450789469' }, body: { order: { id: 450789469, note: 'Customer contacted us about a custom engraving on this iPod' } }, method: 'PUT', url: '/orders/450789469.json' },

    { entity: 'customer', action: 'list', query: { limit: '50' }, method: 'GET', url: '/customers.json?limit=50' },
    { entity: 'customer', action: 'read', params: { id: '207119551' }, method: 'GET', url: '/customers/207119551.json' },
    { entity: 'customer', action: 'create', body: { customer: { first_name: 'Steve', last_name: 'Lastnameson', email: 'steve.lastnameson@example.com' } }, method: 'POST', url: '/customers.json' },
    { entity: 'customer', action: 'update', params: { id: '207119551' }, body: { customer: { id: 207119551, email: 'changed@example.com' } }, method: 'PUT', url: '/customers/207119551.json' },
    { entity: 'customer', action: 'search', query: { query: 'email:bob@example.com' }, method: 'GET', url: '/customers/search.json?query=email%3Abob%40example.com' },
  ],
})
